// Loading the YAML config: `${VAR}` from the environment (and `${file:PATH}` from a
// file) for secrets, validation with zod, and every error as one line naming the file,
// the line and the field with what was expected. Relative paths are made relative to
// the config file's folder.
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, resolve } from 'node:path'
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml'
import type { z } from 'zod'
import { splitDn } from '../core/dn.js'
import { IdsyncError } from '../core/errors.js'
import { type Config, configSchema } from './schema.js'

export interface LoadedConfig {
  config: Config
  /** the config file (absolute), or null when built from command-line options */
  path: string | null
  warnings: string[]
}

const VAR = /\$\{([^}]*)\}/g

function fail(file: string, line: number | null, field: string, message: string): never {
  const where = line === null ? file : `${file}:${line}`
  throw new IdsyncError('ERR_CONFIG', `${where}: ${field ? `${field}: ` : ''}${message}`)
}

function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('')
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

  // ${VAR} and ${file:PATH}, in every string scalar, with the line of the scalar on error
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return
      node.value = node.value.replace(VAR, (_m, name: string) => {
        const line = lineAt(node.range?.[0])
        if (name.startsWith('file:')) {
          const p = name.slice(5)
          try {
            return readFileSync(isAbsolute(p) ? p : resolve(dir, p), 'utf8').replace(/\r?\n$/, '')
          } catch {
            return fail(file, line, '', `\${${name}}: the file cannot be read`)
          }
        }
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(file, line, '', `\${${name}} is not a variable name`)
        const v = env[name]
        if (v === undefined || v === '')
          fail(file, line, '', `environment variable ${name} is not set (referenced as \${${name}})`)
        return v
      })
    },
  })

  const nodeAt = (p: readonly PropertyKey[]): Node | null => {
    // the deepest node that exists along the path (for a missing key: its parent)
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n) as unknown[], true) as Node | undefined
      if (node && (isScalar(node) || isMap(node) || isSeq(node))) return node
    }
    return null
  }
  const parsed = configSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue
    fail(file, lineAt(nodeAt(issue.path)?.range?.[0]), fieldName(issue.path), describeIssue(issue))
  }
  const config = parsed.data
  const warnings = scopeWarnings(config, (p) => lineAt(nodeAt(p)?.range?.[0]), file)

  // relative paths are relative to the config file
  const rel = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p))
  config.store.path = rel(config.store.path)
  if (config.source.type === 'ldif') config.source.path = rel(config.source.path)
  if (config.source.type === 'ldap' && config.source.tls.caFile)
    config.source.tls.caFile = rel(config.source.tls.caFile)
  return { config, path, warnings }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_type':
      return issue.input === undefined
        ? `missing; ${issue.message.replace(/^Invalid input: /, '')}`
        : issue.message.replace(/^Invalid input: /, '')
    default:
      return issue.message.replace(/^Invalid input: /, '')
  }
}

/**
 * Unquoted DNs in a YAML flow list are split at their commas:
 * `include: [OU=Staff,DC=corp,DC=com]` becomes three entries. Catch the pattern: several
 * entries that are each a single RDN.
 */
function scopeWarnings(config: Config, lineOf: (p: PropertyKey[]) => number | null, file: string): string[] {
  const warnings: string[] = []
  for (const key of ['include', 'exclude'] as const) {
    const list = config.source.scope[key]
    for (const d of list.filter((x) => !x.includes('='))) {
      const line = lineOf(['source', 'scope', key])
      warnings.push(
        `${file}${line === null ? '' : `:${line}`}: source.scope.${key}: "${d}" has no "=", so it is not a DN; ` +
          'a DN with a comma in a value must be quoted in YAML, and the comma escaped as \\,',
      )
    }
    const single = list.filter((d) => d.includes('=') && splitDn(d).length === 1)
    const looksSplit = single.length > 0 && (single.length > 1 || single.some((d) => /^dc=/i.test(d)))
    if (!looksSplit) continue
    const line = lineOf(['source', 'scope', key])
    warnings.push(
      `${file}${line === null ? '' : `:${line}`}: source.scope.${key}: ${single.map((d) => `"${d}"`).join(', ')} look like the pieces of one DN: ` +
        `YAML splits an unquoted DN at its commas inside [ ]. Quote it: ${key}: ["${single.join(',')}"]`,
    )
  }
  return warnings
}
