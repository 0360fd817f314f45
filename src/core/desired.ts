// The desired state of one target: the mapping applied to every snapshot record of the
// kinds the target holds, with group members limited to what the target holds
// (and nested groups flattened into their users when the target wants that). Pure.
import type { DesiredObject, FlatAttrs, SnapshotRecord, SyncKind } from './sync-model.js'

export interface DesiredOptions {
  kinds: ReadonlySet<SyncKind>
  nestedGroups: boolean
  map: Record<SyncKind, (rec: SnapshotRecord) => FlatAttrs>
}

/** Paths a target needs to create an object at all. */
const REQUIRED: Record<SyncKind, string> = { user: 'userName', contact: 'userName', group: 'displayName' }

export interface DesiredState {
  objects: Map<string, DesiredObject>
  /** in scope, but not exportable (a required path is empty), with the reason */
  skipped: Map<string, string>
}

export function desiredState(
  snapshot: ReadonlyMap<string, SnapshotRecord>,
  opts: DesiredOptions,
): DesiredState {
  const objects = new Map<string, DesiredObject>()
  const skipped = new Map<string, string>()
  for (const rec of snapshot.values()) {
    if (!opts.kinds.has(rec.kind)) continue
    const attrs = opts.map[rec.kind](rec)
    const required = REQUIRED[rec.kind]
    if (attrs[required] === null || attrs[required] === undefined || attrs[required] === '') {
      skipped.set(rec.anchor, `${required} would be empty (its source attribute is missing)`)
      continue
    }
    const active = rec.kind === 'group' ? true : !rec.disabled
    if (rec.kind !== 'group') attrs.active = active
    objects.set(rec.anchor, { anchor: rec.anchor, kind: rec.kind, attrs, active })
  }
  // members: only objects of the kinds the target holds; a skipped one stays listed (the
  // plan keeps it a member while the target still holds it, and drops it otherwise)
  const kindOf = (a: string): SyncKind | undefined =>
    objects.get(a)?.kind ?? (skipped.has(a) ? snapshot.get(a)?.kind : undefined)
  for (const d of objects.values()) {
    if (d.kind !== 'group') continue
    const rec = snapshot.get(d.anchor)
    const direct = rec?.members ?? []
    const members = opts.nestedGroups ? direct : flatten(d.anchor, snapshot)
    d.members = [...new Set(members)].filter((a) => {
      const k = kindOf(a)
      return k !== undefined && (opts.nestedGroups || k !== 'group')
    })
  }
  return { objects, skipped }
}

/** The user and contact members of a group, through nested groups, cycles tolerated. */
function flatten(group: string, snapshot: ReadonlyMap<string, SnapshotRecord>): string[] {
  const out: string[] = []
  const seen = new Set<string>([group])
  const queue = [...(snapshot.get(group)?.members ?? [])]
  for (let i = 0; i < queue.length; i++) {
    const a = queue[i] as string
    if (seen.has(a)) continue
    seen.add(a)
    const rec = snapshot.get(a)
    if (!rec) continue
    if (rec.kind === 'group') queue.push(...(rec.members ?? []))
    else out.push(a)
  }
  return out
}
