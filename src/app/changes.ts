// A change to one attribute of one object, and the decision taken when the object is
// read just before writing: write (which values go, which come), already done, or
// stale (the directory no longer holds what the change was planned against). Pure.
import type { AttrValue } from '../core/model.js'

export interface PlannedChange {
  dn: string
  anchor: string | null
  attribute: string
  /** edit: replace oldValue by newValue; remove: delete oldValue; restore: put back a whole set (undo) */
  action: 'edit' | 'remove' | 'restore'
  multiValued: boolean
  oldValue: string | null
  newValue: string | null
  /** undo: the set the directory should hold now, and the set to put back */
  restore?: { expected: AttrValue[]; target: AttrValue[]; force: boolean }
  /** refused before any write (invalid value, collision), with the reason */
  refused?: string
  /** where it came from (file:line), for reports */
  where?: string
}

export type Decision =
  | { kind: 'write'; remove: Buffer[]; add: Buffer[]; after: Buffer[] }
  | { kind: 'replace'; after: Buffer[] }
  | { kind: 'already'; reason: string }
  | { kind: 'stale'; reason: string }
  | { kind: 'refuse'; reason: string }

export const toBuffer = (v: AttrValue): Buffer =>
  typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from(v)

const has = (set: readonly Buffer[], v: Buffer): boolean => set.some((x) => x.equals(v))
const without = (set: readonly Buffer[], v: Buffer): Buffer[] => set.filter((x) => !x.equals(v))

/** Same values, byte for byte, in any order (multi-valued attributes have no order). */
export function sameSet(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  if (a.length !== b.length) return false
  const key = (x: Buffer) => x.toString('base64')
  const count = new Map<string, number>()
  for (const x of a) count.set(key(x), (count.get(key(x)) ?? 0) + 1)
  for (const x of b) {
    const n = count.get(key(x))
    if (!n) return false
    count.set(key(x), n - 1)
  }
  return true
}

export function decide(c: PlannedChange, current: readonly Buffer[]): Decision {
  if (c.action === 'restore' && c.restore) return decideRestore(c.restore, current)
  const old = c.oldValue === null ? null : toBuffer(c.oldValue)
  const next = c.newValue === null ? null : toBuffer(c.newValue)
  if (c.action === 'remove') {
    if (old === null) return { kind: 'stale', reason: 'nothing to remove' }
    if (!has(current, old)) return { kind: 'already', reason: 'the value is no longer there' }
    return { kind: 'write', remove: [old], add: [], after: without(current, old) }
  }
  if (next === null) return { kind: 'stale', reason: 'no new value' }
  if (c.multiValued) {
    if (old === null) {
      return has(current, next)
        ? { kind: 'already', reason: 'the value is already there' }
        : checkObject(c, current, { kind: 'write', remove: [], add: [next], after: [...current, next] })
    }
    if (has(current, old)) {
      const add = has(current, next) ? [] : [next]
      return checkObject(c, current, {
        kind: 'write',
        remove: [old],
        add,
        after: [...without(current, old), ...add],
      })
    }
    if (has(current, next))
      return { kind: 'already', reason: 'the new value is already there and the old one gone' }
    return { kind: 'stale', reason: 'the value changed since the scan' }
  }
  // single-valued: the whole attribute must be what the scan saw
  const expected = old === null ? [] : [old]
  if (sameSet(current, expected)) return { kind: 'write', remove: expected, add: [next], after: [next] }
  if (sameSet(current, [next]))
    return { kind: 'already', reason: 'the attribute already holds the new value' }
  return {
    kind: 'stale',
    reason: old === null ? 'the attribute was set since the scan' : 'the value changed since the scan',
  }
}

const primaries = (set: readonly Buffer[]) =>
  set.filter((v) => v.subarray(0, 5).toString('latin1') === 'SMTP:').length

/**
 * What a value check alone cannot see: a change to proxyAddresses must not leave the
 * object with a second primary (SMTP:) address where it had at most one.
 */
function checkObject(c: PlannedChange, current: readonly Buffer[], d: Decision): Decision {
  if (d.kind !== 'write' || c.attribute.toLowerCase() !== 'proxyaddresses') return d
  if (primaries(d.after) > 1 && primaries(d.after) > primaries(current))
    return {
      kind: 'refuse',
      reason:
        'the object would have two primary (SMTP:) addresses; make the new value a secondary smtp: one, or edit the primary itself',
    }
  return d
}

function decideRestore(r: NonNullable<PlannedChange['restore']>, current: readonly Buffer[]): Decision {
  const expected = r.expected.map(toBuffer)
  const target = r.target.map(toBuffer)
  if (sameSet(current, target))
    return { kind: 'already', reason: 'the attribute already holds the earlier values' }
  if (sameSet(current, expected)) {
    const remove = current.filter((x) => !has(target, x))
    const add = target.filter((x) => !has(current, x))
    return { kind: 'write', remove, add, after: target }
  }
  if (r.force) return { kind: 'replace', after: target }
  return { kind: 'stale', reason: 'the values changed since the batch (use --force to restore anyway)' }
}
