// Applying a plan to a target: phase by phase (creates, updates, memberships, disables,
// deletes), operations of a phase side by side up to the target's concurrency. Every
// operation is written to the intent log before it is sent and the target state is
// updated as soon as it succeeds, so a process killed at any point resumes without
// duplicates (a pending create is looked up by externalId) or lost changes (the next
// plan still holds what was not recorded). One object's error never stops the others.
import { type Target, TargetError, type TargetObject } from '../connectors/types.js'
import { IdsyncError } from '../core/errors.js'
import { PHASE } from '../core/plan.js'
import {
  type AttrChange,
  type FlatAttrs,
  type Op,
  REFERENCE_PATHS,
  type TargetRow,
} from '../core/sync-model.js'
import type { Store } from '../store/types.js'

export interface ApplyOptions {
  target: Target
  store: Store
  targetName: string
  runId: string
  concurrency: number
  /** the target's match policy: how a create answered "exists" may link the existing object */
  match: 'anchor' | 'anchor-then-userName' | 'anchor-then-email'
  now: () => Date
  onProgress?: (done: number, total: number) => void
  /** structured events for the log; never attribute values */
  log?: (event: string, fields: Record<string, unknown>) => void
}

/** Operations on an existing target object: a not-found answer means the object itself is gone. */
const GONE_IF_NOT_FOUND: ReadonlySet<Op['op']> = new Set(['update', 'rename', 'disable', 'remove-members'])

interface RunContext extends ApplyOptions {
  /** anchors whose create an earlier, killed run may have sent */
  recovering: ReadonlySet<string>
}

export interface OpOutcome {
  op: Op
  ok: boolean
  error?: { type: string; status: number | null; message: string }
}

export interface ApplyResult {
  outcomes: OpOutcome[]
  applied: number
  failed: number
  /** set when the run stopped early because the target stopped answering */
  stopped?: string
}

export async function applyPlan(
  ops: readonly Op[],
  rows: Map<string, TargetRow>,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const pending = await options.store.sync.pendingOps(options.targetName)
  const o: RunContext = {
    ...options,
    recovering: new Set(pending.filter((p) => p.op === 'create').map((p) => p.anchor)),
  }
  const outcomes: OpOutcome[] = []
  let seq = 0
  let done = 0
  // a target that does not answer at all: after this many network failures in a row (each
  // already retried with backoff), the rest is not attempted
  const tripAfter = Math.max(3, o.concurrency)
  let networkFailuresInARow = 0
  let unreachable: string | null = null
  // phases in order; creates in waves (a manager before its reports)
  const phaseOf = (op: Op) => PHASE[op.op] * 10_000 + (op.op === 'create' ? Math.max(0, op.wave ?? 0) : 0)
  const phases = new Map<number, Op[]>()
  for (const op of ops) {
    const list = phases.get(phaseOf(op))
    if (list) list.push(op)
    else phases.set(phaseOf(op), [op])
  }
  for (const phase of [...phases.keys()].sort((a, b) => a - b)) {
    const queue = [...(phases.get(phase) ?? [])]
    const worker = async () => {
      for (let op = queue.shift(); op && !unreachable; op = queue.shift()) {
        const mySeq = ++seq
        const outcome = await runOne(op, mySeq, rows, o)
        outcomes.push(outcome)
        networkFailuresInARow = outcome.error?.type === 'network' ? networkFailuresInARow + 1 : 0
        if (networkFailuresInARow >= tripAfter) unreachable = outcome.error?.message ?? 'no answer'
        o.onProgress?.(++done, ops.length)
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, queue.length)) }, worker))
    if (unreachable) break
  }
  const failed = outcomes.filter((x) => !x.ok).length
  const applied = outcomes.length - failed
  if (unreachable && applied === 0)
    throw new IdsyncError(
      'ERR_TARGET',
      `the target does not answer (${tripAfter} operations in a row failed on the network after their retries; the other ${ops.length - outcomes.length} were not attempted): ${unreachable}`,
    )
  return {
    outcomes,
    applied,
    failed,
    ...(unreachable
      ? {
          stopped: `the target stopped answering; ${ops.length - outcomes.length} operations were not attempted`,
        }
      : {}),
  }
}

/** Anchor references to target ids; a reference to an object the target does not hold is dropped. */
function resolved(attrs: FlatAttrs, rows: ReadonlyMap<string, TargetRow>): FlatAttrs {
  const out: FlatAttrs = { ...attrs }
  for (const path of REFERENCE_PATHS) {
    const ref = out[path]
    if (typeof ref === 'string') out[path] = rows.get(ref)?.targetId ?? null
  }
  return out
}

/**
 * What the target now holds, in anchors: a reference that could not be sent (its object
 * is not in the target) is recorded as none, so that the next plan sends it again.
 */
function recorded(attrs: FlatAttrs, rows: ReadonlyMap<string, TargetRow>): FlatAttrs {
  const out: FlatAttrs = { ...attrs }
  for (const path of REFERENCE_PATHS) {
    const ref = out[path]
    if (typeof ref === 'string' && !rows.has(ref)) out[path] = null
  }
  return out
}

const changesToAttrs = (changes: readonly AttrChange[]): FlatAttrs =>
  Object.fromEntries(changes.map((c) => [c.path, c.to]))

async function runOne(op: Op, seq: number, rows: Map<string, TargetRow>, o: RunContext): Promise<OpOutcome> {
  const time = () => o.now().toISOString()
  await o.store.sync.logOp({
    runId: o.runId,
    seq,
    target: o.targetName,
    anchor: op.anchor,
    op: op.op,
    detail: JSON.stringify({ kind: op.kind }),
    time: time(),
  })
  try {
    const row = await execute(op, rows, o)
    await o.store.sync.settleSuccess({
      runId: o.runId,
      seq,
      target: o.targetName,
      anchor: op.anchor,
      row,
      last: { op: op.op, result: 'ok', time: time() },
    })
    o.log?.('op', { op: op.op, kind: op.kind, anchor: op.anchor, ok: true })
    return { op, ok: true }
  } catch (e) {
    const err =
      e instanceof TargetError
        ? {
            type: e.type,
            status: e.status,
            message: e.targetMessage ? `${e.message}: ${e.targetMessage}` : e.message,
          }
        : { type: 'server', status: null, message: (e as Error).message ?? String(e) }
    await o.store.sync.settleOp(o.runId, seq, 'failed')
    const row = rows.get(op.anchor)
    if (row && err.type === 'not-found' && GONE_IF_NOT_FOUND.has(op.op)) {
      // the object is no longer in the target (deleted there, or the target was reset):
      // forget the link, so that the next run creates it again instead of failing forever
      err.message = `${err.message} — the object is gone from the target; the next run creates it again`
      rows.delete(op.anchor)
      await o.store.sync.removeRow(o.targetName, op.anchor)
      // the target dropped it from its groups too: so must the groups' recorded members
      for (const g of rows.values()) {
        if (!g.members.includes(op.anchor)) continue
        const left = { ...g, members: g.members.filter((m) => m !== op.anchor) }
        rows.set(g.anchor, left)
        await o.store.sync.putRow(o.targetName, left, { op: 'member gone', result: 'ok', time: time() })
      }
    } else if (row) {
      await o.store.sync.putRow(o.targetName, row, {
        op: op.op,
        result: `failed (${err.type})`,
        time: time(),
      })
    }
    await o.store.sync.putError({
      target: o.targetName,
      anchor: op.anchor,
      op: op.op,
      type: err.type,
      status: err.status,
      message: err.message,
      time: time(),
    })
    o.log?.('op', {
      op: op.op,
      kind: op.kind,
      anchor: op.anchor,
      ok: false,
      type: err.type,
      status: err.status,
    })
    return { op, ok: false, error: err }
  }
}

/**
 * Create; if the target says the object exists already and it carries this anchor as
 * its externalId, it is ours (made by an earlier run, or by another idsync store of the
 * same directory): link it and bring it up to date instead of failing on it forever.
 */
async function createOrAdopt(
  o: RunContext,
  kind: Op['kind'],
  anchor: string,
  attrs: FlatAttrs,
  memberIds: string[],
) {
  const { target } = o
  try {
    return await target.create(kind, attrs, memberIds)
  } catch (e) {
    if (!(e instanceof TargetError) || e.type !== 'duplicate') throw e
    // ours by externalId; or, where the match policy links by userName or email, an object
    // that no other anchor claims (an interrupted first contact leaves such objects behind)
    let mine = await target.findByExternalId(kind, anchor)
    if (!mine && kind !== 'group' && o.match !== 'anchor') {
      const key = o.match === 'anchor-then-userName' ? attrs.userName : attrs['emails.work']
      const found =
        typeof key !== 'string'
          ? null
          : o.match === 'anchor-then-userName'
            ? await target.findByName(kind, key)
            : await target.findByEmail(key)
      if (found && (found.externalId === null || found.externalId === anchor)) mine = found
    }
    if (!mine) throw e
    await target.update(kind, mine.id, attrs)
    if (memberIds.length > 0) await target.addMembers(mine.id, memberIds)
    return mine
  }
}

/** Run one operation against the target; returns the object's new target state (null: removed). */
async function execute(op: Op, rows: Map<string, TargetRow>, o: RunContext): Promise<TargetRow | null> {
  const { target } = o
  const time = o.now().toISOString()
  const save = (row: TargetRow): TargetRow => {
    rows.set(row.anchor, row)
    return row
  }
  const idOf = (anchor: string): string => {
    const row = rows.get(anchor)
    if (!row)
      throw new TargetError(
        'not-found',
        `${op.op} of ${anchor}: the object is not in the target (its creation failed?)`,
        null,
        null,
      )
    return row.targetId
  }
  switch (op.op) {
    case 'create': {
      // a create that a killed run may have sent: look before creating twice
      const existing = o.recovering.has(op.anchor) ? await target.findByExternalId(op.kind, op.anchor) : null
      // members created in earlier waves go with the create; those that failed wait for the next run
      const members = (op.members ?? []).filter((a) => rows.has(a))
      const memberIds = members.map((a) => rows.get(a)?.targetId as string)
      let created: TargetObject
      try {
        created =
          existing ?? (await createOrAdopt(o, op.kind, op.anchor, resolved(op.attrs, rows), memberIds))
      } catch (e) {
        // the object may exist although the create failed (a member chunk after the POST
        // failed): link it now, so that the next run completes it instead of creating a
        // second one (a group's displayName need not be unique)
        const made = await target.findByExternalId(op.kind, op.anchor).catch(() => null)
        if (made) {
          save({
            anchor: op.anchor,
            kind: op.kind,
            targetId: made.id,
            attrs: { externalId: op.anchor },
            members: [],
            state: 'active',
            disabledAt: null,
          })
        }
        throw e
      }
      if (existing) {
        await target.update(op.kind, existing.id, resolved(op.attrs, rows))
        if (memberIds.length > 0) await target.addMembers(existing.id, memberIds)
      }
      return save({
        anchor: op.anchor,
        kind: op.kind,
        targetId: created.id,
        attrs: recorded(op.attrs, rows),
        members,
        state: op.attrs.active === false ? 'disabled' : 'active',
        disabledAt: null,
      })
    }
    case 'match': {
      await target.update(op.kind, op.targetId, resolved(op.attrs, rows))
      return save({
        anchor: op.anchor,
        kind: op.kind,
        targetId: op.targetId,
        attrs: recorded(op.attrs, rows),
        members: [],
        state: op.attrs.active === false ? 'disabled' : 'active',
        disabledAt: null,
      })
    }
    case 'update':
    case 'rename':
    case 'disable': {
      const row = rows.get(op.anchor)
      const id = op.targetId || idOf(op.anchor)
      const changes = op.changes
      await target.update(op.kind, id, resolved(changesToAttrs(changes), rows))
      const attrs: FlatAttrs = { ...(row?.attrs ?? {}), ...recorded(changesToAttrs(changes), rows) }
      const active = attrs.active !== false
      const leaving = op.op === 'disable' && op.cause !== 'disabled-in-source'
      return save({
        anchor: op.anchor,
        kind: op.kind,
        targetId: id,
        attrs,
        members: row?.members ?? [],
        state: op.kind === 'group' ? 'active' : active ? 'active' : 'disabled',
        disabledAt: active ? null : leaving ? (row?.disabledAt ?? time) : null,
      })
    }
    case 'add-members':
    case 'remove-members': {
      const row = rows.get(op.anchor)
      const groupId = op.targetId || idOf(op.anchor)
      // members the target does not hold (their export failed) wait for the next run
      const held = op.members.filter((a) => rows.has(a))
      const ids = held.map((a) => rows.get(a)?.targetId as string)
      if (ids.length > 0) {
        if (op.op === 'add-members') await target.addMembers(groupId, ids)
        else await target.removeMembers(groupId, ids)
      }
      const before = row?.members ?? []
      const members =
        op.op === 'add-members'
          ? [...new Set([...before, ...held])]
          : before.filter((a) => !op.members.includes(a))
      if (!row) return null
      const saved = save({ ...row, members })
      if (op.op === 'add-members' && held.length < op.members.length) {
        await o.store.sync.putRow(o.targetName, saved, { op: op.op, result: 'partial', time })
        throw new TargetError(
          'not-found',
          `${op.members.length - held.length} of the members are not in the target yet (their export failed); they are added by a later run`,
          null,
          null,
        )
      }
      return saved
    }
    case 'delete': {
      await target.delete(op.kind, op.targetId)
      rows.delete(op.anchor)
      return null
    }
  }
}
