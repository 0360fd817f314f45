// References between source objects (group members, managers) resolved to anchors
// against the snapshot: by objectGUID when the source gave extended DNs (stable when the
// member is renamed or moved), else by DN. A reference to an object outside the scope
// resolves to nothing. Pure.
import { normalizeDn } from './dn.js'
import type { SnapshotRecord } from './sync-model.js'

const EXTENDED = /^<GUID=([0-9a-fA-F]{32})>;(?:<SID=[^>]*>;)?(.*)$/

/** A reference from an attribute value: `<GUID=…>;<SID=…>;DN` or a plain DN. */
export function refOf(value: string): string {
  const m = EXTENDED.exec(value)
  if (m) return `guid:${Buffer.from(m[1] as string, 'hex').toString('base64')}`
  return `dn:${normalizeDn(value)}`
}

/** The DN inside a reference value (extended or plain). */
export const dnOfValue = (value: string): string => EXTENDED.exec(value)?.[2] ?? value

export function resolveRefs(snapshot: ReadonlyMap<string, SnapshotRecord>): Map<string, SnapshotRecord> {
  const byRef = new Map<string, string>()
  for (const r of snapshot.values()) {
    if (r.guid) byRef.set(`guid:${r.guid}`, r.anchor)
    byRef.set(`dn:${normalizeDn(r.dn)}`, r.anchor)
  }
  const resolve = (ref: string) => byRef.get(ref)
  const out = new Map<string, SnapshotRecord>()
  for (const r of snapshot.values()) {
    const copy: SnapshotRecord = { ...r }
    if (r.memberRefs)
      copy.members = r.memberRefs.map(resolve).filter((a): a is string => a !== undefined && a !== r.anchor)
    if (r.managerRef !== undefined)
      copy.manager = r.managerRef === null ? null : (resolve(r.managerRef) ?? null)
    out.set(r.anchor, copy)
  }
  return out
}
