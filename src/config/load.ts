// Loading the YAML config: `${VAR}` from the environment (and `${file:PATH}` from a
// file) for secrets, validation with zod, and every error as one line naming the file,
// the line and the field with what was expected. Relative paths are made relative to
// the config file's folder.
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type Scalar,
  type YAMLSeq,
} from 'yaml'
import { z } from 'zod'
import { isUnder, splitDn } from '../core/dn.js'
import { IdsyncError } from '../core/errors.js'
import { type Config, configSchema, keysAt, schemaAt } from './schema.js'

export interface LoadedConfig {
  config: Config
  /** the config file (absolute), or null when built from command-line options */
  path: string | null
  warnings: string[]
}

type Path = (string | number)[]

const VAR = /\$\{([^}]*)\}/g
/** a scalar that is exactly one `${…}`: its value may be typed as the field needs */
const WHOLE_VAR = /^\$\{[^}]*\}$/
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/

function fail(file: string, line: number | null, field: string, message: string): never {
  const where = line === null ? file : `${file}:${line}`
  throw new IdsyncError('ERR_CONFIG', `${where}: ${field ? `${field}: ` : ''}${message}`)
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
}

/** What loading needs to point at a place in the file. */
interface Ctx {
  file: string
  /** the file's text, for what YAML dropped between the nodes */
  text: string
  doc: Document.Parsed
  lineAt(offset: number | undefined): number | null
  /** the line of the node at `path`, or of its deepest existing parent */
  lineOf(path: readonly PropertyKey[]): number | null
}

export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = resolve(file)
  const dir = dirname(path)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    fail(file, null, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'I/O error'})`)
  }
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true })
  const lineAt = (offset: number | undefined): number | null =>
    offset === undefined ? null : lc.linePos(offset).line
  const firstError = doc.errors[0]
  if (firstError) {
    fail(file, lineAt(firstError.pos[0]), '', `not valid YAML: ${firstError.message.split('\n')[0]}`)
  }
  if (doc.contents === null) fail(file, null, '', 'the file is empty; expected at least a "source:" section')
  const lineOf = (p: readonly PropertyKey[]): number | null => {
    // the deepest node that exists along the path (for a missing key: its parent)
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined
      if (node && (isScalar(node) || isMap(node) || isSeq(node))) return lineAt(node.range?.[0])
    }
    return null
  }
  const ctx: Ctx = { file, text, doc, lineAt, lineOf }

  const fromVars = expandVariables(ctx, dir, env)
  const data = doc.toJS() as unknown
  typeVariables(data, fromVars)
  const parsed = configSchema.safeParse(data)
  if (!parsed.success) reportIssue(ctx, data, fromVars, parsed.error.issues)
  const config = parsed.data
  const warnings = checkScope(ctx, config)

  // relative paths are relative to the config file
  const rel = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p))
  config.store.path = rel(config.store.path)
  if (config.source.type === 'ldif') config.source.path = rel(config.source.path)
  if (config.source.type === 'ldap' && config.source.tls.caFile)
    config.source.tls.caFile = rel(config.source.tls.caFile)
  return { config, path, warnings }
}

/**
 * `${VAR}` and `${file:PATH}` in every string scalar, with the line and field on error.
 * Returns the scalars that were exactly one `${…}` (field name → path and reference).
 */
function expandVariables(ctx: Ctx, dir: string, env: NodeJS.ProcessEnv): Map<string, [Path, string]> {
  const whole = new Map<string, [Path, string]>()
  const expand = (node: Scalar, path: Path, isKey: boolean): void => {
    if (typeof node.value !== 'string' || !node.value.includes('${')) return
    const line = ctx.lineAt(node.range?.[0])
    const field = fieldName(path)
    const written = node.value
    node.value = written.replace(VAR, (_m, name: string) => {
      if (name.startsWith('file:')) {
        const p = name.slice(5)
        try {
          return readFileSync(isAbsolute(p) ? p : resolve(dir, p), 'utf8').replace(/\r?\n$/, '')
        } catch {
          return fail(ctx.file, line, field, `\${${name}}: the file cannot be read`)
        }
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        fail(ctx.file, line, field, `\${${name}} is not a variable name`)
      const v = env[name]
      if (v === undefined || v === '')
        fail(ctx.file, line, field, `environment variable ${name} is not set (referenced as \${${name}})`)
      return v
    })
    if (!isKey && WHOLE_VAR.test(written.trim())) whole.set(field, [path, written.trim()])
  }
  const walk = (node: unknown, path: Path): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key)) expand(pair.key, path, true)
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        walk(pair.value, [...path, key])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        walk(item, [...path, i])
      })
    } else if (isScalar(node)) {
      expand(node, path, false)
    }
  }
  walk(ctx.doc.contents, [])
  return whole
}

/**
 * An expanded `${VAR}` is text; where the field takes a number or a boolean, a value
 * that is exactly one (`30`, `true`) becomes one. Text fields stay text: a password of
 * digits is not a number.
 */
function typeVariables(data: unknown, fromVars: Map<string, [Path, string]>): void {
  for (const [path] of fromVars.values()) {
    const key = path[path.length - 1]
    if (key === undefined) continue
    let parent = data
    for (const p of path.slice(0, -1)) parent = (parent as Record<PropertyKey, unknown> | null)?.[p]
    if (parent === null || typeof parent !== 'object') continue
    const holder = parent as Record<PropertyKey, unknown>
    const value = holder[key]
    if (typeof value !== 'string') continue
    const schema = schemaAt(path, data)
    const text = value.trim()
    if (schema instanceof z.ZodNumber && NUMBER.test(text)) holder[key] = Number(text)
    else if (schema instanceof z.ZodBoolean && /^(?:true|false)$/i.test(text))
      holder[key] = text.toLowerCase() === 'true'
  }
}

function reportIssue(
  ctx: Ctx,
  data: unknown,
  fromVars: Map<string, [Path, string]>,
  issues: readonly z.core.$ZodIssue[],
): never {
  // a misspelt key explains the "missing" one it was meant to be: report it first
  const issue = (issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]) as z.core.$ZodIssue
  const field = fieldName(issue.path)
  if (issue.code === 'unrecognized_keys') {
    // the line of the (first) unknown key itself, not of the object holding it
    const parent = issue.path.length === 0 ? ctx.doc.contents : ctx.doc.getIn(issue.path as unknown[], true)
    const keyNode = isMap(parent)
      ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === issue.keys[0])?.key
      : undefined
    const line = isScalar(keyNode) ? ctx.lineAt(keyNode.range?.[0]) : ctx.lineOf(issue.path)
    const known = keysAt(issue.path, data)
    fail(
      ctx.file,
      line,
      field,
      `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` +
        (known ? ` (expected one of: ${known.join(', ')})` : ''),
    )
  }
  const message = issue.message.replace(/^Invalid input: /, '')
  if (issue.code !== 'invalid_type') fail(ctx.file, ctx.lineOf(issue.path), field, message)
  // zod leaves the input out of issues (no values in messages): ask the file instead
  const present = issue.path.length === 0 || ctx.doc.hasIn(issue.path as unknown[])
  const expected = message.replace(/, received \w+$/, '')
  const variable = fromVars.get(field)?.[1]
  fail(
    ctx.file,
    ctx.lineOf(issue.path),
    field,
    !present
      ? `missing; ${expected}`
      : ctx.doc.getIn(issue.path as unknown[]) === null
        ? `empty; ${expected}`
        : variable
          ? `${expected}; the value of ${variable} is not ${issue.expected === 'boolean' ? 'true or false' : `a ${issue.expected}`}`
          : message,
  )
}

/**
 * Scope lists: unquoted DNs in a YAML flow list are split at their commas
 * (`include: [OU=Staff,DC=corp,DC=com]` becomes three entries); an entry without "=" is
 * no DN; for an LDAP source, an entry outside every baseDN matches nothing. For an LDAP
 * source these are errors (the read would find nothing or fail); for an LDIF file, which
 * has no base, warnings.
 */
function checkScope(ctx: Ctx, config: Config): string[] {
  const warnings: string[] = []
  const bases = config.source.type === 'ldap' ? ([] as string[]).concat(config.source.baseDN) : null
  const outside = (d: string): boolean => bases !== null && !bases.some((b) => isUnder(d, b))
  // several one-RDN bases may be meant (an OpenLDAP server with suffixes o=acme and
  // o=partners), so a list that looks split is a warning, not an error
  if (config.source.type === 'ldap')
    for (const run of splitRuns(ctx, ['source', 'baseDN'], bases ?? []))
      warnings.push(
        `${ctx.file}${run.line === null ? '' : `:${run.line}`}: source.baseDN: ${run.message('baseDN')}`,
      )
  for (const key of ['include', 'exclude'] as const) {
    const list = config.source.scope[key]
    const path = ['source', 'scope', key]
    const report = (error: boolean, line: number | null, field: string, message: string): void => {
      if (error) fail(ctx.file, line, field, message)
      warnings.push(`${ctx.file}${line === null ? '' : `:${line}`}: ${field}: ${message}`)
    }
    const inRun = new Set<number>()
    for (const run of splitRuns(ctx, path, list)) {
      for (let i = run.from; i < run.to; i++) inRun.add(i)
      // an include that matches nothing hides the whole directory; an exclude that matches nothing is harmless
      const error = key === 'include' && list.slice(run.from, run.to).some(outside)
      report(error, run.line, fieldName(path), run.message(key))
    }
    list.forEach((d, i) => {
      if (inRun.has(i)) return
      const line = ctx.lineOf([...path, i])
      const field = fieldName([...path, i])
      if (!d.includes('=')) {
        report(
          key === 'include' && outside(d),
          line,
          field,
          `"${d}" has no "=", so it is not a DN; a DN with a comma in a value must be quoted in YAML, and the comma escaped as \\,`,
        )
      } else if (outside(d) && bases) {
        const relative = !splitDn(d).some((r) => /^dc\s*=/i.test(r))
        report(
          key === 'include',
          line,
          field,
          `"${d}" is not under ${bases.length > 1 ? 'any baseDN' : 'the baseDN'} ${bases.map((b) => `"${b}"`).join(', ')}, so it would match nothing` +
            (relative ? `; write the whole DN, e.g. "${d},${bases[0]}"` : ''),
        )
      }
    })
  }
  return warnings
}

interface SplitRun {
  /** entries [from, to) of the list */
  from: number
  to: number
  line: number | null
  message(key: string): string
}

/**
 * Runs of two or more unquoted entries of a flow list that are each at most one RDN: the
 * pieces of a DN that YAML split at its commas. The DN is rebuilt from the pieces and
 * what separated them in the file, so an escaped comma keeps the space after it
 * (`OU=Sales\, EMEA`).
 */
function splitRuns(ctx: Ctx, path: readonly PropertyKey[], list: readonly string[]): SplitRun[] {
  const seq = ctx.doc.getIn(path as unknown[], true)
  if (!isSeq(seq) || !seq.flow) return []
  const items = (seq as YAMLSeq<unknown>).items
  const isPiece = (i: number): boolean => {
    const node = items[i]
    const value = list[i]
    return isScalar(node) && node.type === 'PLAIN' && value !== undefined && splitDn(value).length <= 1
  }
  const runs: SplitRun[] = []
  for (let from = 0; from < items.length; ) {
    let to = from
    while (to < items.length && isPiece(to)) to++
    if (to - from > 1) {
      const pieces = list.slice(from, to)
      let dn = pieces[0] as string
      for (let i = from + 1; i < to; i++) {
        const prev = items[i - 1] as Scalar
        const next = items[i] as Scalar
        const between = sourceBetween(ctx, prev, next)
        // an escaped comma belongs to the value, and so does the space after it
        const escaped = /(?:^|[^\\])(?:\\\\)*\\$/.test(dn)
        dn += `,${escaped ? (/,([ \t]*)/.exec(between)?.[1] ?? '') : ''}${list[i]}`
      }
      const line = ctx.lineAt((items[from] as Scalar).range?.[0])
      runs.push({
        from,
        to,
        line,
        message: (key) =>
          `${pieces.map((d) => `"${d}"`).join(', ')} look like the pieces of one DN: ` +
          `YAML splits an unquoted DN at its commas inside [ ]. Quote it: ${key}: [${yamlQuoted(dn)}]`,
      })
    }
    from = Math.max(to, from + 1)
  }
  return runs
}

/** The file's text between two nodes (the separator YAML dropped). */
function sourceBetween(ctx: Ctx, a: Scalar, b: Scalar): string {
  const end = a.range?.[1]
  const start = b.range?.[0]
  return end === undefined || start === undefined ? '' : ctx.text.slice(end, start)
}

/** A YAML scalar that reads back as `s`: double quotes unless `\` or `"` need single ones. */
function yamlQuoted(s: string): string {
  return /[\\"]/.test(s) ? `'${s.replace(/'/g, "''")}'` : `"${s}"`
}
