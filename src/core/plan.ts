// The plan: a pure diff of a target's desired state against what idsync knows the
// target holds (its rows in the store), each operation with its reason. An unchanged
// directory gives an empty plan; a renamed user is an update of the same target
// object; memberships change member by member, never by replacing a whole list.
import type { DesiredState } from './desired.js'
import {
  type AttrChange,
  type DesiredObject,
  emptyCounts,
  type FlatAttrs,
  type Op,
  type Plan,
  REFERENCE_PATHS,
  type RemovalCause,
  type SyncKind,
  type TargetRow,
} from './sync-model.js'

export type OnDelete = 'disable' | 'delete' | 'disable-then-delete'

export interface Match {
  targetId: string
  via: 'externalId' | 'userName' | 'email' | 'displayName'
  /** what the target holds now (references as anchors where known) */
  attrs: FlatAttrs
}

export interface PlanInput {
  target: string
  desired: DesiredState
  rows: ReadonlyMap<string, TargetRow>
  /** first contact: existing target objects to link instead of creating duplicates */
  matches: ReadonlyMap<string, Match>
  /** anchors the source reported deleted (others that went are out of the scope) */
  deleted: ReadonlySet<string>
  onDelete: OnDelete
  deleteAfterDays: number
  now: Date
}

const DAY = 86_400_000

/** The paths whose change makes an update a rename. */
const NAME_PATHS: Record<SyncKind, string> = { user: 'userName', contact: 'userName', group: 'displayName' }

export function diffAttrs(from: FlatAttrs, to: FlatAttrs): AttrChange[] {
  const changes: AttrChange[] = []
  for (const path of new Set([...Object.keys(from), ...Object.keys(to)])) {
    if (path === 'externalId' && to[path] === undefined) continue
    const a = from[path] ?? null
    const b = to[path] ?? null
    if (a !== b) changes.push({ path, from: a, to: b })
  }
  return changes.sort((x, y) => x.path.localeCompare(y.path))
}

const KIND_ORDER: Record<SyncKind, number> = { user: 0, contact: 1, group: 2 }
/** The order operations run in: creates, updates, memberships (adds, then removals), disables, deletes. */
export const PHASE: Record<Op['op'], number> = {
  create: 0,
  match: 0,
  update: 1,
  rename: 1,
  'add-members': 2,
  'remove-members': 3,
  disable: 4,
  delete: 5,
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`
const paths = (changes: AttrChange[]) => changes.map((c) => c.path).join(', ')

export function plan(given: PlanInput): Plan {
  const input = reachable(given)
  const ops: Op[] = []
  const { objects } = input.desired
  const waves = createWaves(input)
  // a reference to an object created in an earlier wave of this run can be sent at once
  const known = (anchor: string, from?: string) =>
    input.rows.has(anchor) ||
    input.matches.has(anchor) ||
    (from !== undefined &&
      (waves.get(anchor) ?? -1) >= 0 &&
      (waves.get(anchor) ?? -1) < (waves.get(from) ?? -1))

  for (const d of objects.values()) {
    const row = input.rows.get(d.anchor)
    if (!row) {
      ops.push(...firstExport(d, input.matches.get(d.anchor), (a) => known(a, d.anchor), waves.get(d.anchor)))
      continue
    }
    ops.push(...changesOf(d, row))
  }
  const orphaned: string[] = []
  const clocks: string[] = []
  const held: string[] = []
  for (const row of input.rows.values()) {
    if (objects.has(row.anchor)) continue
    // in scope but not exportable now (a required attribute went empty): kept as it is,
    // never removed for it
    if (input.desired.skipped.has(row.anchor)) {
      held.push(row.anchor)
      continue
    }
    const cause: RemovalCause = input.deleted.has(row.anchor) ? 'deleted' : 'out-of-scope'
    const op = removal(row, cause, input)
    if (op === 'orphaned') orphaned.push(row.anchor)
    else if (op === 'clock') clocks.push(row.anchor)
    else if (op) ops.push(op)
  }
  const wave = (o: Op) => (o.op === 'create' ? (o.wave ?? 0) : 0)
  ops.sort(
    (a, b) => PHASE[a.op] - PHASE[b.op] || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || wave(a) - wave(b),
  )

  const counts = emptyCounts()
  for (const op of ops) counts[op.op]++
  counts.orphaned = orphaned.length
  const managed: Record<SyncKind, number> = { user: 0, contact: 0, group: 0 }
  for (const row of input.rows.values()) if (row.state !== 'orphaned') managed[row.kind]++
  return { target: input.target, ops, counts, managed, orphaned, clocks, held }
}

/**
 * What the target can be given. A reference (manager) to an object the target will not
 * hold is none, so that the plan settles instead of sending it again every run. A member
 * in scope but not exportable now (held: a required attribute went empty) stays a member
 * while the target holds it, and is dropped otherwise.
 */
function reachable(input: PlanInput): PlanInput {
  const { objects, skipped } = input.desired
  const holds = (a: string) => objects.has(a) || input.rows.has(a) || input.matches.has(a)
  const out = new Map<string, DesiredObject>()
  for (const d of objects.values()) {
    let attrs = d.attrs
    for (const path of REFERENCE_PATHS) {
      const ref = attrs[path]
      if (typeof ref === 'string' && !holds(ref)) attrs = { ...attrs, [path]: null }
    }
    const members = d.members?.filter((m) => objects.has(m) || (skipped.has(m) && input.rows.has(m)))
    out.set(d.anchor, { ...d, attrs, ...(members ? { members } : {}) })
  }
  return { ...input, desired: { ...input.desired, objects: out } }
}

/**
 * The wave of every object this run creates: 0, or one more than the wave of the
 * object it refers to (its manager) when that one is created in this run too, so that
 * the reference can be sent with the create. A loop of references gets no wave (-1):
 * those references are set by an update after the creates.
 */
function createWaves(input: PlanInput): Map<string, number> {
  const created = new Set(
    [...input.desired.objects.keys()].filter((a) => !input.rows.has(a) && !input.matches.has(a)),
  )
  const waves = new Map<string, number>()
  const refOf = (a: string): string | null => {
    for (const path of REFERENCE_PATHS) {
      const r = input.desired.objects.get(a)?.attrs[path]
      if (typeof r === 'string' && created.has(r)) return r
    }
    return null
  }
  for (const start of created) {
    if (waves.has(start)) continue
    const chain: string[] = []
    const onChain = new Set<string>()
    let cur: string | null = start
    while (cur !== null && !waves.has(cur) && !onChain.has(cur)) {
      chain.push(cur)
      onChain.add(cur)
      cur = refOf(cur)
    }
    let base = cur === null ? -1 : onChain.has(cur) ? null : (waves.get(cur) as number)
    for (let i = chain.length - 1; i >= 0; i--) {
      const a = chain[i] as string
      if (base === null) {
        waves.set(a, -1)
        continue
      }
      base = base < 0 ? 0 : base + 1
      waves.set(a, base)
    }
  }
  // groups after every user (their members), nested groups before the groups holding them
  const users = [...waves.entries()].filter(([a]) => input.desired.objects.get(a)?.kind !== 'group')
  const firstGroupWave = Math.max(0, ...users.map(([, w]) => w)) + 1
  const depth = new Map<string, number>()
  const depthOf = (g: string, path: Set<string>): number => {
    const known = depth.get(g)
    if (known !== undefined) return known
    if (path.has(g)) return -1
    path.add(g)
    let d = 0
    for (const m of input.desired.objects.get(g)?.members ?? []) {
      if (!created.has(m) || input.desired.objects.get(m)?.kind !== 'group') continue
      const md = depthOf(m, path)
      d = md < 0 || d < 0 ? -1 : Math.max(d, md + 1)
    }
    path.delete(g)
    depth.set(g, d)
    return d
  }
  for (const a of created) {
    if (input.desired.objects.get(a)?.kind !== 'group') continue
    const d = depthOf(a, new Set())
    waves.set(a, d < 0 ? firstGroupWave : firstGroupWave + d)
  }
  return waves
}

/** An object the target has never had from idsync: link an existing one, or create it. */
function firstExport(
  d: DesiredObject,
  match: Match | undefined,
  known: (a: string) => boolean,
  wave: number | undefined,
): Op[] {
  const ops: Op[] = []
  const attrs: FlatAttrs = { ...d.attrs }
  // a reference to an object this run creates cannot be sent yet: set it right after
  const deferred: AttrChange[] = []
  for (const path of REFERENCE_PATHS) {
    const ref = attrs[path]
    if (typeof ref === 'string' && !known(ref)) {
      deferred.push({ path, from: null, to: ref })
      attrs[path] = null
    }
  }
  if (match) {
    const changes = diffAttrs(match.attrs, attrs)
    ops.push({
      op: 'match',
      kind: d.kind,
      anchor: d.anchor,
      targetId: match.targetId,
      via: match.via,
      attrs,
      reason: `already in the target (same ${match.via}): linked${changes.length ? `; ${paths(changes)} set` : ''}`,
    })
  }
  // a new group is created with the members that exist by then (earlier waves): no
  // separate membership write for them
  const inline = !match && d.members ? d.members.filter((m) => known(m)) : []
  if (!match) {
    ops.push({
      op: 'create',
      kind: d.kind,
      anchor: d.anchor,
      attrs,
      ...(inline.length > 0 ? { members: inline } : {}),
      ...(wave !== undefined && wave > 0 ? { wave } : {}),
      reason: d.active
        ? `new in scope${inline.length > 0 ? ` (with ${plural(inline.length, 'member')})` : ''}`
        : 'new in scope (disabled in the source: created inactive)',
    })
  }
  if (deferred.length > 0)
    ops.push({
      op: 'update',
      kind: d.kind,
      anchor: d.anchor,
      targetId: '',
      changes: deferred,
      reason: `${paths(deferred)}: the object it refers to is created in this run`,
    })
  const later = (d.members ?? []).filter((m) => !inline.includes(m))
  if (later.length > 0) {
    ops.push({
      op: 'add-members',
      kind: d.kind,
      anchor: d.anchor,
      targetId: match?.targetId ?? '',
      members: later,
      reason: `${plural(later.length, 'member')} in scope`,
    })
  }
  return ops
}

/** An object idsync already exported: its attribute and member changes. */
function changesOf(d: DesiredObject, row: TargetRow): Op[] {
  const ops: Op[] = []
  const changes = diffAttrs(row.attrs, d.attrs)
  if (changes.length > 0) {
    const deactivated = changes.find((c) => c.path === 'active' && c.to === false)
    const renamed = changes.some((c) => c.path === NAME_PATHS[d.kind])
    if (deactivated) {
      ops.push({
        op: 'disable',
        kind: d.kind,
        anchor: d.anchor,
        targetId: row.targetId,
        cause: 'disabled-in-source',
        changes,
        reason: `disabled in the source${changes.length > 1 ? `; also ${paths(changes.filter((c) => c !== deactivated))}` : ''}`,
      })
    } else {
      const reenabled = row.state === 'disabled' && changes.some((c) => c.path === 'active' && c.to === true)
      const why = reenabled
        ? 'back in scope / enabled again'
        : renamed
          ? `renamed (${NAME_PATHS[d.kind]})`
          : 'changed'
      ops.push({
        op: renamed ? 'rename' : 'update',
        kind: d.kind,
        anchor: d.anchor,
        targetId: row.targetId,
        changes,
        reason: `${why}: ${paths(changes)}`,
      })
    }
  }
  if (d.members) {
    const now = new Set(row.members)
    const want = new Set(d.members)
    const add = d.members.filter((m) => !now.has(m))
    const remove = row.members.filter((m) => !want.has(m))
    if (add.length > 0)
      ops.push({
        op: 'add-members',
        kind: d.kind,
        anchor: d.anchor,
        targetId: row.targetId,
        members: add,
        reason: `${plural(add.length, 'member')} joined`,
      })
    if (remove.length > 0)
      ops.push({
        op: 'remove-members',
        kind: d.kind,
        anchor: d.anchor,
        targetId: row.targetId,
        members: remove,
        reason: `${plural(remove.length, 'member')} left (or left the scope)`,
      })
  }
  return ops
}

const WHY: Record<RemovalCause, string> = {
  deleted: 'deleted in the source',
  'out-of-scope': 'no longer in scope',
  'disabled-in-source': 'disabled in the source',
  'grace-period-over': 'disabled long enough ago',
}

/** An object that left: disable, delete, or (groups under `disable`) leave it orphaned. */
function removal(row: TargetRow, cause: RemovalCause, input: PlanInput): Op | 'orphaned' | 'clock' | null {
  const due = (since: string | null) =>
    since !== null && input.now.getTime() >= Date.parse(since) + input.deleteAfterDays * DAY
  const graceOver = (since: string) =>
    deleteOp(
      row,
      'grace-period-over',
      `${WHY[cause]}, ${row.kind === 'group' ? 'orphaned' : 'disabled'} on ${since.slice(0, 10)} (deleteAfterDays: ${input.deleteAfterDays})`,
    )
  if (input.onDelete === 'delete') return deleteOp(row, cause)
  if (row.kind === 'group' || row.state === 'orphaned') {
    // SCIM groups have no disabled state: kept untouched (orphaned); under
    // disable-then-delete, deleted once deleteAfterDays have passed since they left
    if (
      input.onDelete === 'disable-then-delete' &&
      row.state === 'orphaned' &&
      row.disabledAt &&
      due(row.disabledAt)
    )
      return graceOver(row.disabledAt)
    return 'orphaned'
  }
  if (row.state !== 'disabled') {
    return {
      op: 'disable',
      kind: row.kind,
      anchor: row.anchor,
      targetId: row.targetId,
      cause,
      changes: [{ path: 'active', from: row.attrs.active ?? true, to: false }],
      reason: WHY[cause],
    }
  }
  if (input.onDelete !== 'disable-then-delete') return null
  // disabled in the source before it left: its grace period starts when it leaves
  if (!row.disabledAt) return 'clock'
  return due(row.disabledAt) ? graceOver(row.disabledAt) : null
}

function deleteOp(row: TargetRow, cause: RemovalCause, reason = WHY[cause]): Op {
  return { op: 'delete', kind: row.kind, anchor: row.anchor, targetId: row.targetId, cause, reason }
}
