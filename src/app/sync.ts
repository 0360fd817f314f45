// Plan and sync, per target: the desired state from the snapshot (mapping), the diff
// against the target state (plan), first-contact matching, the guard, then applying.
import { createHash, randomBytes } from 'node:crypto'
import type { Config, TargetConfig } from '../config/schema.js'
import { openTarget } from '../connectors/open-target.js'
import type { Target, TargetObject } from '../connectors/types.js'
import { desiredState } from '../core/desired.js'
import { IdsyncError } from '../core/errors.js'
import { checkGuard, type GuardVerdict } from '../core/guard.js'
import { compileMapping } from '../core/mapping.js'
import { type Match, plan } from '../core/plan.js'
import { resolveRefs } from '../core/refs.js'
import type { Plan, SnapshotRecord, SyncKind, TargetRow } from '../core/sync-model.js'
import type { Store } from '../store/types.js'
import { type ApplyResult, applyPlan } from './apply.js'
import { describeScopeChange, type ReadOutcome } from './sync-read.js'

export interface TargetPlan {
  config: TargetConfig
  plan: Plan
  /** in scope but not exportable, with the reason */
  skipped: Map<string, string>
  verdict: GuardVerdict
  /** identifies this exact plan (approvals) */
  hash: string
  rows: Map<string, TargetRow>
  /** a readable name for every anchor the plan mentions */
  labels: Map<string, string>
  /** objects back in scope: orphaned groups, and objects whose deleteAfterDays clock runs */
  returning: string[]
}

const KINDS: Record<string, SyncKind> = { users: 'user', groups: 'group', contacts: 'contact' }

export function kindsOf(t: TargetConfig): Set<SyncKind> {
  return new Set(t.objects.map((o) => KINDS[o] as SyncKind))
}

export function planHash(target: string, p: Plan): string {
  return createHash('sha256')
    .update(JSON.stringify({ target, ops: p.ops }))
    .digest('hex')
    .slice(0, 32)
}

export function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`
}

/** First contact: link target objects that already exist instead of creating duplicates. */
async function findMatches(
  t: TargetConfig,
  target: Target,
  need: readonly { anchor: string; kind: SyncKind; attrs: Record<string, unknown> }[],
): Promise<Map<string, Match>> {
  const matches = new Map<string, Match>()
  if (need.length === 0) return matches
  const byExternal = new Map<string, TargetObject>()
  const byName = new Map<string, TargetObject>()
  const byEmail = new Map<string, TargetObject>()
  for (const kind of new Set(need.map((n) => n.kind))) {
    for await (const obj of target.list(kind)) {
      if (obj.externalId) byExternal.set(`${kind}:${obj.externalId}`, obj)
      const name = kind === 'group' ? obj.attrs.displayName : obj.attrs.userName
      if (typeof name === 'string') byName.set(`${kind}:${name.toLowerCase()}`, obj)
      const email = obj.attrs['emails.work']
      if (typeof email === 'string') byEmail.set(`${kind}:${email.toLowerCase()}`, obj)
    }
  }
  const taken = new Set<string>()
  for (const n of need) {
    let hit: TargetObject | undefined = byExternal.get(`${n.kind}:${n.anchor}`)
    let via: Match['via'] = 'externalId'
    if (
      !hit &&
      n.kind !== 'group' &&
      t.match === 'anchor-then-userName' &&
      typeof n.attrs.userName === 'string'
    ) {
      hit = byName.get(`${n.kind}:${n.attrs.userName.toLowerCase()}`)
      via = 'userName'
    }
    if (
      !hit &&
      n.kind !== 'group' &&
      t.match === 'anchor-then-email' &&
      typeof n.attrs['emails.work'] === 'string'
    ) {
      hit = byEmail.get(`${n.kind}:${(n.attrs['emails.work'] as string).toLowerCase()}`)
      via = 'email'
    }
    // an object already linked to another anchor is not linked twice
    if (
      hit &&
      !taken.has(hit.id) &&
      (hit.externalId === null || hit.externalId === n.anchor || via === 'externalId')
    ) {
      taken.add(hit.id)
      matches.set(n.anchor, { targetId: hit.id, via, attrs: hit.attrs })
    }
  }
  return matches
}

export interface PlanOptions {
  allowDeletes: boolean
  now: Date
  /** open the target connector (for first-contact matching); tests inject one */
  open?: (t: TargetConfig) => Target
}

export async function planTarget(
  config: Config,
  t: TargetConfig,
  store: Store,
  read: ReadOutcome,
  opts: PlanOptions,
): Promise<TargetPlan> {
  const rows = new Map<string, TargetRow>(await store.sync.targetRows(t.name))
  const snapshot = resolveRefs(read.snapshot)
  const desired = desiredState(snapshot, {
    kinds: kindsOf(t),
    nestedGroups: t.nestedGroups,
    map: compileMapping(t.mapping, `targets[${config.targets.indexOf(t)}].mapping`),
  })
  // first contact with this target, or creates a killed run may have sent: look in the target
  const recovering = new Set(
    (await store.sync.pendingOps(t.name)).filter((p) => p.op === 'create').map((p) => p.anchor),
  )
  const need = [...desired.objects.values()].filter(
    (d) => !rows.has(d.anchor) && (rows.size === 0 || recovering.has(d.anchor)),
  )
  let matches = new Map<string, Match>()
  if (need.length > 0) {
    const target = (opts.open ?? ((c: TargetConfig) => openTarget(c, store)))(t)
    try {
      matches = await findMatches(t, target, need)
    } finally {
      await target.close()
    }
  }
  const p = plan({
    target: t.name,
    desired,
    rows,
    matches,
    deleted: read.deleted,
    onDelete: t.onDelete,
    deleteAfterDays: t.deleteAfterDays,
    now: opts.now,
  })
  const hash = planHash(t.name, p)
  const approved = await store.sync.isApproved(hash)
  // judged per target: a sync of another target (--target) accepted nothing for this one
  const acceptedHere = (await store.sync.acceptedScopes(read.sourceKey)).get(t.name)
  const scopeChanged =
    acceptedHere === undefined
      ? read.scopeChanged
      : acceptedHere !== read.scopeHash
        ? describeScopeChange(acceptedHere, read.scopeHash)
        : null
  const verdict = checkGuard({
    plan: p,
    guard: config.guard,
    scopeChanged,
    allowed: opts.allowDeletes || approved,
  })
  for (const base of read.missing) {
    verdict.reasons.unshift(
      `the include base ${base} does not exist (was the OU renamed or moved?): everything under it would leave the scope; correct source.scope.include (--allow-deletes cannot let this through: the base cannot be read)`,
    )
    verdict.pass = false
  }
  // back in scope: orphaned groups, and objects whose deleteAfterDays clock runs since they
  // left (a user who returns still disabled in AD has no operation, but its clock must stop)
  const returning = [...rows.values()]
    .filter((r) => (r.state === 'orphaned' || r.disabledAt !== null) && desired.objects.has(r.anchor))
    .map((r) => r.anchor)
  return {
    config: t,
    plan: p,
    skipped: desired.skipped,
    verdict,
    hash,
    rows,
    labels: labelsOf(p, snapshot, rows),
    returning,
  }
}

function labelsOf(
  p: Plan,
  snapshot: ReadonlyMap<string, SnapshotRecord>,
  rows: ReadonlyMap<string, TargetRow>,
): Map<string, string> {
  const labels = new Map<string, string>()
  const label = (anchor: string): string => {
    const rec = snapshot.get(anchor)
    const row = rows.get(anchor)
    const name = rec
      ? ((rec.attrs.userprincipalname ?? rec.attrs.displayname ?? rec.attrs.cn ?? rec.dn) as string)
      : ((row?.attrs.userName ?? row?.attrs.displayName ?? anchor) as string)
    return Array.isArray(name) ? String(name[0]) : String(name)
  }
  for (const op of p.ops) {
    labels.set(op.anchor, label(op.anchor))
    if (op.op === 'add-members' || op.op === 'remove-members')
      for (const m of op.members) labels.set(m, label(m))
  }
  for (const a of p.orphaned) labels.set(a, label(a))
  return labels
}

export interface SyncOutcome extends ApplyResult {
  runId: string
}

export async function applyTarget(
  tp: TargetPlan,
  store: Store,
  opts: {
    now: () => Date
    open?: (t: TargetConfig) => Target
    onProgress?: (done: number, total: number) => void
    log?: (event: string, fields: Record<string, unknown>) => void
  },
): Promise<SyncOutcome> {
  // one sync of a target at a time: two would both create what is new
  const busy = (await store.sync.runs(tp.config.name, 20)).find(
    (r) => r.status === 'running' && r.kind === 'sync',
  )
  if (busy) {
    throw new IdsyncError(
      'ERR_USAGE',
      `another sync of target "${tp.config.name}" is running (run ${busy.id}); wait for it, or stop it`,
    )
  }
  const runId = newRunId(opts.now())
  await store.sync.startRun({
    id: runId,
    target: tp.config.name,
    kind: 'sync',
    started: opts.now().toISOString(),
  })
  const target = (opts.open ?? ((c: TargetConfig) => openTarget(c, store)))(tp.config)
  let result: ApplyResult
  try {
    result = await applyPlan(tp.plan.ops, tp.rows, {
      target,
      store,
      targetName: tp.config.name,
      runId,
      concurrency: tp.config.type === 'scim' ? tp.config.rate.concurrency : 4,
      match: tp.config.match,
      now: opts.now,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    })
  } catch (e) {
    await store.sync.finishRun(runId, {
      status: 'failed',
      counts: { ...tp.plan.counts },
      errors: 0,
      message: (e as Error).message,
      finished: opts.now().toISOString(),
    })
    throw e
  } finally {
    await target.close()
  }
  await store.sync.settleEarlier(tp.config.name, runId)
  await markOrphans(tp, store, opts.now())
  await store.sync.finishRun(runId, {
    status: tp.plan.ops.length === 0 ? 'nothing' : result.failed > 0 ? 'errors' : 'applied',
    counts: { ...tp.plan.counts, applied: result.applied, failed: result.failed },
    errors: result.failed,
    message: result.stopped ?? null,
    finished: opts.now().toISOString(),
  })
  return { ...result, runId }
}

/**
 * Groups that left the scope stay in the target untouched, marked orphaned; objects that
 * left already disabled start their deleteAfterDays clock; and both are undone on return.
 */
export async function markOrphans(tp: TargetPlan, store: Store, now: Date): Promise<void> {
  const time = now.toISOString()
  const put = async (a: string, change: (r: TargetRow) => TargetRow, op: string) => {
    const row = tp.rows.get(a)
    if (!row) return
    const next = change(row)
    if (next.state === row.state && next.disabledAt === row.disabledAt) return
    tp.rows.set(a, next)
    await store.sync.putRow(tp.config.name, next, { op, result: 'ok', time })
  }
  // the date a group was orphaned, or an already disabled user left, starts deleteAfterDays
  for (const a of tp.plan.orphaned)
    await put(
      a,
      (r) => ({ ...r, state: 'orphaned', disabledAt: r.state === 'orphaned' ? r.disabledAt : time }),
      'orphaned',
    )
  for (const a of tp.plan.clocks)
    await put(a, (r) => ({ ...r, disabledAt: r.disabledAt ?? time }), 'left the scope (disabled)')
  for (const a of tp.returning)
    await put(
      a,
      (r) => ({ ...r, state: r.state === 'orphaned' ? 'active' : r.state, disabledAt: null }),
      'back in scope',
    )
}

/** Record a run that planned but did not apply (dry run, or stopped by the guard). */
export async function recordUnapplied(
  tp: TargetPlan,
  store: Store,
  status: 'planned' | 'guarded' | 'nothing',
  now: Date,
): Promise<string> {
  const runId = newRunId(now)
  await store.sync.startRun({
    id: runId,
    target: tp.config.name,
    kind: status === 'planned' ? 'plan' : 'sync',
    started: now.toISOString(),
  })
  await store.sync.finishRun(runId, {
    status,
    counts: { ...tp.plan.counts },
    errors: 0,
    message: status === 'guarded' ? tp.verdict.reasons.join('; ') : null,
    finished: now.toISOString(),
  })
  return runId
}
