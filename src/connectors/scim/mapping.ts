// Flat attribute paths (sync-model.ts) to SCIM JSON and back (RFC 7643): resource bodies for
// POST, PATCH operations for update (RFC 7644 §3.5.2), and the same paths read back from a
// resource. Paths: `userName`, `name.givenName` (core, dotted = sub-attribute), `emails.work`,
// `phoneNumbers.mobile` (typed multi-valued), `enterprise.department`, `enterprise.manager`
// (a target id, sent as {value}), and `urn:…:attr` (any other extension, passed through).
import type { FlatAttrs, SyncKind } from '../../core/sync-model.js'
import { TargetError, type TargetObject } from '../types.js'

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'

export type ScimJson = Record<string, unknown>

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove'
  path: string
  value?: unknown
}

/** Multi-valued attributes addressed by their `type`: `emails.work` is the value of type "work". */
const TYPED = new Set(['emails', 'phoneNumbers', 'ims', 'photos'])
/** Server-managed or handled apart: never a mapped path. */
const RESERVED = new Set(['id', 'meta', 'schemas', 'members', 'groups'])
const NAME = /^[A-Za-z][\w$-]*$/

type Resolved =
  | { at: 'core'; keys: string[] }
  | { at: 'typed'; attr: string; type: string }
  | { at: 'extension'; urn: string; keys: string[]; reference: boolean }

/** A SCIM string literal for filters and value paths: JSON escaping (RFC 7644 §3.4.2.2). */
export const scimString = (value: string): string => JSON.stringify(value)

function badPath(path: string): TargetError {
  return new TargetError('invalid', `"${path}" is not an attribute path a SCIM target knows`, null, null)
}

function keysOf(path: string, dotted: string): string[] {
  const keys = dotted.split('.')
  if (!keys.every((k) => NAME.test(k))) throw badPath(path)
  return keys
}

export function resolvePath(path: string): Resolved {
  if (path.startsWith('enterprise.')) {
    const keys = keysOf(path, path.slice('enterprise.'.length))
    return { at: 'extension', urn: ENTERPRISE_USER, keys, reference: keys.join('.') === 'manager' }
  }
  if (path.startsWith('urn:')) {
    const colon = path.lastIndexOf(':')
    const urn = path.slice(0, colon)
    if (!/^urn:[^:]+:\S+$/.test(urn)) throw badPath(path)
    const keys = keysOf(path, path.slice(colon + 1))
    return { at: 'extension', urn, keys, reference: urn === ENTERPRISE_USER && keys.join('.') === 'manager' }
  }
  const keys = keysOf(path, path)
  if (RESERVED.has(keys[0] as string)) throw badPath(path)
  if (keys.length === 2 && TYPED.has(keys[0] as string))
    return { at: 'typed', attr: keys[0] as string, type: keys[1] as string }
  return { at: 'core', keys }
}

/** obj[key], set to `init` first when absent or not an object */
function child<T extends object>(obj: ScimJson, key: string, init: T): T {
  const cur = obj[key]
  if (cur !== null && typeof cur === 'object') return cur as T
  obj[key] = init
  return init
}

function setIn(obj: ScimJson, keys: string[], value: unknown): void {
  let cur = obj
  for (const k of keys.slice(0, -1)) cur = child(cur, k, {})
  cur[keys[keys.length - 1] as string] = value
}

/** `active` is a SCIM boolean: a mapping may hand it over as "true" / "false". */
function coerce(path: string, value: string | boolean): string | boolean {
  if (path !== 'active' || typeof value === 'boolean') return value
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
  throw new TargetError('invalid', 'active must be true or false', null, null)
}

function typedValue(attr: string, type: string, value: string | boolean): ScimJson {
  const item: ScimJson = { value, type }
  // the work address is the one a person is reached at: mark it primary (RFC 7643 §2.4)
  if (attr === 'emails' && type === 'work') item.primary = true
  return item
}

/** The body of a POST: the set paths (null ones left out), the schemas they need, and the members. */
export function toResource(kind: SyncKind, attrs: FlatAttrs, members?: readonly string[]): ScimJson {
  const schemas = [kind === 'group' ? GROUP_SCHEMA : USER_SCHEMA]
  const out: ScimJson = { schemas }
  for (const [path, raw] of Object.entries(attrs)) {
    if (raw === null) continue
    const r = resolvePath(path)
    const value = coerce(path, raw)
    if (r.at === 'core') setIn(out, r.keys, value)
    else if (r.at === 'typed') {
      child<ScimJson[]>(out, r.attr, []).push(typedValue(r.attr, r.type, value))
    } else {
      if (!schemas.includes(r.urn)) schemas.push(r.urn)
      setIn(child(out, r.urn, {}), r.keys, r.reference ? { value } : value)
    }
  }
  if (members?.length) out.members = members.map((value) => ({ value }))
  return out
}

/**
 * The operations of one PATCH that sets the given paths (null removes). A typed value is
 * removed by filter then added, which works whether or not the object had one: `replace`
 * with a filter that matches nothing is a 400 noTarget (RFC 7644 §3.5.2.3).
 */
export function toPatchOps(attrs: FlatAttrs): PatchOperation[] {
  const ops: PatchOperation[] = []
  for (const [path, raw] of Object.entries(attrs)) {
    const r = resolvePath(path)
    if (r.at === 'typed') {
      ops.push({ op: 'remove', path: `${r.attr}[type eq ${scimString(r.type)}]` })
      if (raw !== null) ops.push({ op: 'add', path: r.attr, value: [typedValue(r.attr, r.type, raw)] })
      continue
    }
    // the enterprise manager is a complex attribute: `…:manager.value` is not a valid target in
    // every server (scimmy: 400 noTarget), `…:manager` with {value} is
    const target = r.at === 'core' ? r.keys.join('.') : `${r.urn}:${r.keys.join('.')}`
    if (raw === null) ops.push({ op: 'remove', path: target })
    else {
      const value = coerce(path, raw)
      ops.push({
        op: 'replace',
        path: target,
        value: r.at === 'extension' && r.reference ? { value } : value,
      })
    }
  }
  return ops
}

const scalar = (v: unknown): v is string | boolean => typeof v === 'string' || typeof v === 'boolean'

/** Sub-attributes as dotted paths under `prefix`; references ({value}) as their value. */
function flatten(into: FlatAttrs, prefix: string, obj: ScimJson, references: ReadonlySet<string>): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = `${prefix}${k}`
    if (scalar(v)) into[path] = v
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const value = (v as ScimJson).value
      if (references.has(k) && typeof value === 'string') into[path] = value
      else flatten(into, `${path}.`, v as ScimJson, new Set())
    }
  }
}

const MANAGER = new Set(['manager'])

/** A SCIM resource as a TargetObject, its attributes in the paths above. */
export function fromResource(kind: SyncKind, json: unknown): TargetObject {
  const res = (json ?? {}) as ScimJson
  if (typeof res.id !== 'string' || res.id === '')
    throw new TargetError('server', `the target returned a ${kind} without an id`, null, null)
  const attrs: FlatAttrs = {}
  for (const [k, v] of Object.entries(res)) {
    if (RESERVED.has(k) || v === null || v === undefined) continue
    if (k.startsWith('urn:')) {
      if (typeof v !== 'object' || Array.isArray(v)) continue
      const enterprise = k === ENTERPRISE_USER
      flatten(attrs, enterprise ? 'enterprise.' : `${k}:`, v as ScimJson, enterprise ? MANAGER : new Set())
    } else if (TYPED.has(k) && Array.isArray(v)) {
      for (const item of v as ScimJson[]) {
        const path = `${k}.${String(item?.type)}`
        if (typeof item?.type === 'string' && scalar(item.value) && !(path in attrs)) attrs[path] = item.value
      }
    } else if (scalar(v)) attrs[k] = v
    else if (typeof v === 'object' && !Array.isArray(v)) flatten(attrs, `${k}.`, v as ScimJson, new Set())
  }
  const obj: TargetObject = {
    id: res.id,
    kind,
    externalId: typeof res.externalId === 'string' ? res.externalId : null,
    attrs,
  }
  if (kind === 'group') {
    const members = Array.isArray(res.members) ? (res.members as ScimJson[]) : []
    obj.members = members.map((m) => m?.value).filter((v): v is string => typeof v === 'string')
  }
  return obj
}
