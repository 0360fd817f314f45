// Mapping: how a source object becomes the object a target should hold. The default
// mapping follows RFC 7643 (core User and Group, enterprise extension); a target's
// `mapping` config renames, adds constants and simple expressions, or drops paths.
//
// Expressions (docs/mapping.md):
//   attributeName              the first value of a source attribute (any case)
//   anchor                     the object's anchor
//   'text'                     a constant (single quotes); true / false in YAML are constants too
//   {givenName} {sn}           a template: {attr} placeholders, the rest literal
//   a ?? b ?? 'x'              the first of these that is not empty
//   expr | lower | upper | trim    filters, applied left to right
import { IdsyncError } from './errors.js'
import type { DesiredObject, FlatAttrs, SnapshotRecord, SyncKind } from './sync-model.js'

export type Expression = (rec: SnapshotRecord) => string | boolean | null

export const DEFAULT_USER_MAPPING: Readonly<Record<string, string>> = {
  externalId: 'anchor',
  userName: 'userPrincipalName',
  'name.givenName': 'givenName',
  'name.familyName': 'sn',
  displayName: 'displayName',
  'emails.work': 'mail',
  title: 'title',
  'phoneNumbers.work': 'telephoneNumber',
  'phoneNumbers.mobile': 'mobile',
  'enterprise.department': 'department',
  'enterprise.employeeNumber': 'employeeID',
  'enterprise.manager': 'manager',
}

export const DEFAULT_GROUP_MAPPING: Readonly<Record<string, string>> = {
  externalId: 'anchor',
  displayName: 'displayName ?? cn',
}

const FILTERS: Record<string, (s: string) => string> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  trim: (s) => s.trim(),
}

function first(rec: SnapshotRecord, name: string): string | null {
  const lower = name.toLowerCase()
  if (lower === 'anchor') return rec.anchor
  if (lower === 'dn') return rec.dn
  if (lower === 'manager') return rec.manager ?? null
  const v = rec.attrs[lower]
  const s = Array.isArray(v) ? v[0] : v
  return s === undefined || s === '' ? null : s
}

const ATTR = /^[A-Za-z][A-Za-z0-9-]*$/

/** Compile one expression; `where` names it in errors (targets[0].mapping.users.title). */
export function compileExpression(source: string | boolean, where: string): Expression {
  if (typeof source === 'boolean') return () => source
  const [head = '', ...filterNames] = splitTop(source, '|').map((s) => s.trim())
  const filters = filterNames.map((f) => {
    const fn = FILTERS[f]
    if (!fn)
      throw new IdsyncError('ERR_CONFIG', `${where}: unknown filter "${f}" (expected lower, upper or trim)`)
    return fn
  })
  const alternatives = splitTop(head, '??').map((s) => s.trim())
  const parts = alternatives.map((alt) => term(alt, where))
  return (rec) => {
    for (const p of parts) {
      const v = p(rec)
      if (v !== null && v !== '') return typeof v === 'string' ? filters.reduce((s, f) => f(s), v) : v
    }
    return null
  }
}

function term(t: string, where: string): Expression {
  if (t === '') throw new IdsyncError('ERR_CONFIG', `${where}: empty expression`)
  if (t.startsWith("'")) {
    if (!t.endsWith("'") || t.length < 2)
      throw new IdsyncError('ERR_CONFIG', `${where}: a constant ends with a single quote`)
    const text = t.slice(1, -1)
    return () => text
  }
  if (t.includes('{')) {
    const pieces: (string | { attr: string })[] = []
    const re = /\{([^{}]*)\}/g
    let last = 0
    for (let m = re.exec(t); m; m = re.exec(t)) {
      const name = (m[1] ?? '').trim()
      if (!ATTR.test(name))
        throw new IdsyncError('ERR_CONFIG', `${where}: "{${name}}" is not an attribute name`)
      pieces.push(t.slice(last, m.index), { attr: name })
      last = m.index + m[0].length
    }
    pieces.push(t.slice(last))
    if (pieces.some((p) => typeof p === 'string' && /[{}]/.test(p)))
      throw new IdsyncError('ERR_CONFIG', `${where}: unbalanced { } in the template`)
    return (rec) => {
      let out = ''
      for (const p of pieces) {
        if (typeof p === 'string') out += p
        else {
          const v = first(rec, p.attr)
          if (v === null) return null
          out += v
        }
      }
      return out
    }
  }
  if (t === 'true' || t === 'false') return () => t === 'true'
  if (!ATTR.test(t))
    throw new IdsyncError(
      'ERR_CONFIG',
      `${where}: "${t}" is not an attribute name, a 'constant' or a {template}`,
    )
  return (rec) => first(rec, t)
}

/** Split at a separator that is not inside quotes or braces. */
function splitTop(s: string, sep: string): string[] {
  const out: string[] = []
  let depth = 0
  let quoted = false
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string
    if (ch === "'") quoted = !quoted
    else if (!quoted && ch === '{') depth++
    else if (!quoted && ch === '}') depth--
    if (!quoted && depth === 0 && s.startsWith(sep, i)) {
      out.push(cur)
      cur = ''
      i += sep.length - 1
      continue
    }
    cur += ch
  }
  out.push(cur)
  return out
}

export type Mapper = (rec: SnapshotRecord) => DesiredObject

/**
 * The mapper of one target: defaults, overridden path by path (null drops a path).
 * `active` is not a mapping: it is the source account's state.
 */
export function compileMapping(
  overrides: {
    users: Record<string, string | boolean | null>
    groups: Record<string, string | boolean | null>
  },
  where: string,
): Record<SyncKind, (rec: SnapshotRecord) => FlatAttrs> {
  const build = (
    defaults: Readonly<Record<string, string>>,
    over: Record<string, string | boolean | null>,
    kind: string,
  ) => {
    const entries: [string, Expression][] = []
    const merged: Record<string, string | boolean | null> = { ...defaults, ...over }
    for (const [path, expr] of Object.entries(merged)) {
      if (expr === null) continue
      if (path === 'active' || path === 'members') {
        throw new IdsyncError(
          'ERR_CONFIG',
          `${where}.${kind}.${path}: "${path}" comes from the source object's state and cannot be mapped`,
        )
      }
      entries.push([path, compileExpression(expr, `${where}.${kind}.${path}`)])
    }
    return (rec: SnapshotRecord): FlatAttrs => {
      const out: FlatAttrs = {}
      for (const [path, fn] of entries) out[path] = fn(rec)
      return out
    }
  }
  const users = build(DEFAULT_USER_MAPPING, overrides.users, 'users')
  return { user: users, contact: users, group: build(DEFAULT_GROUP_MAPPING, overrides.groups, 'groups') }
}
