// Applying planned changes to the directory as one journaled batch. For every change:
// read the object again, decide (write / already / stale), record the change in the
// journal with the complete previous and new values BEFORE writing it, write it in one
// modify request, record the result. A failing change does not stop the others; a lost
// connection does (the rest are recorded as not attempted). Without `apply`, the same
// reads and decisions run and nothing is written anywhere.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { isConnectionLost } from '../connectors/ldap/writer.js'
import type { WritableDirectory } from '../connectors/types.js'
import { isIdsyncError } from '../core/errors.js'
import type { BatchKind, BatchStatus, ChangeStatus, Store } from '../store/types.js'
import { decide, type PlannedChange } from './changes.js'

export interface ChangeResult {
  change: PlannedChange
  /** `would-apply` in a dry run */
  status: ChangeStatus | 'would-apply'
  reason: string | null
  /** the object's DN when it was read (it may have moved) */
  dn: string
  /** its anchor as read back (the input may not have had one: the scan's CSV has none) */
  anchor?: string | null
  before: Buffer[] | null
  after: Buffer[] | null
}

export interface BatchOutcome {
  id: string | null
  status: BatchStatus | 'dry-run'
  results: ChangeResult[]
}

export interface BatchOptions {
  kind: BatchKind
  operator: string
  undoes?: string
  apply: boolean
  now?: () => Date
  onProgress?: (done: number, total: number) => void
}

export function newBatchId(now: Date): string {
  const t = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${t}-${randomBytes(2).toString('hex')}`
}

export async function runBatch(
  dir: WritableDirectory,
  store: Store | null,
  changes: readonly PlannedChange[],
  opts: BatchOptions,
): Promise<BatchOutcome> {
  const now = opts.now ?? (() => new Date())
  const results: ChangeResult[] = []
  let id: string | null = null
  // a server that cannot be reached, or refuses the bind, stops the batch before it starts
  await dir.connect()
  if (opts.apply) {
    if (!store) throw new Error('runBatch: applying needs a store for the journal')
    id = newBatchId(now())
    await store.journal.createBatch({
      id,
      time: now().toISOString(),
      operator: opts.operator,
      kind: opts.kind,
      undoes: opts.undoes,
      source: dir.description,
      host: hostname(),
      pid: process.pid,
    })
  }
  const journal = async (r: ChangeResult): Promise<number | null> => {
    results.push(r)
    if (!id || !store) return null
    const saved = await store.journal.addChange(id, {
      dn: r.dn,
      anchor: r.anchor ?? r.change.anchor,
      attribute: r.change.attribute,
      action: r.change.action === 'restore' ? 'restore' : r.change.action,
      oldValue: r.change.oldValue,
      newValue: r.change.newValue,
      before: r.before,
      after: r.after,
      status: r.status === 'would-apply' ? 'pending' : r.status,
      reason: r.reason,
      time: now().toISOString(),
    })
    return saved.seq
  }

  let lost: string | null = null
  for (const [i, c] of changes.entries()) {
    opts.onProgress?.(i, changes.length)
    const base = { change: c, dn: c.dn, before: null, after: null }
    if (c.refused) {
      await journal({ ...base, status: 'refused', reason: c.refused })
      continue
    }
    if (lost) {
      await journal({ ...base, status: 'skipped', reason: `not attempted: ${lost}` })
      continue
    }
    let current: Awaited<ReturnType<WritableDirectory['read']>>
    try {
      current = await dir.read(c.dn, c.anchor, c.attribute)
    } catch (e) {
      if (isConnectionLost(e)) {
        lost = (e as Error).message
        await journal({ ...base, status: 'skipped', reason: `not attempted: ${lost}` })
        continue
      }
      await journal({
        ...base,
        status: 'failed',
        reason: `reading the object failed: ${(e as Error).message}`,
      })
      continue
    }
    if (!current) {
      await journal({
        ...base,
        status: 'stale',
        reason: 'the object is gone (deleted, or moved out of reach)',
      })
      continue
    }
    const d = decide(c, current.values)
    const read = { ...base, dn: current.dn, anchor: current.anchor, before: current.values }
    if (d.kind === 'already' || d.kind === 'stale') {
      await journal({ ...read, status: d.kind, reason: d.reason, after: current.values })
      continue
    }
    if (d.kind === 'refuse') {
      await journal({ ...read, status: 'refused', reason: d.reason, after: current.values })
      continue
    }
    if (!opts.apply) {
      results.push({ ...read, status: 'would-apply', reason: null, after: d.after })
      continue
    }
    // the journal learns of the write before the directory does: a crash between the
    // two leaves a `pending` change that undo and a re-run both check against the directory
    const seq = (await journal({ ...read, status: 'pending', reason: null, after: d.after })) as number
    const mine = results[results.length - 1] as ChangeResult
    try {
      if (d.kind === 'replace') await dir.replace(current.dn, c.attribute, d.after)
      else await dir.modify(current.dn, c.attribute, d.remove, d.add)
      mine.status = 'applied'
      await store?.journal.updateChange(id as string, seq, { status: 'applied', time: now().toISOString() })
    } catch (e) {
      if (isConnectionLost(e)) {
        lost = (e as Error).message
        mine.reason = `the connection was lost during the write; the outcome is checked against the directory by undo and by a re-run (${lost})`
        await store?.journal.updateChange(id as string, seq, { reason: mine.reason })
        continue
      }
      mine.status = 'failed'
      mine.reason = isIdsyncError(e) ? e.message : String(e)
      await store?.journal.updateChange(id as string, seq, {
        status: 'failed',
        reason: mine.reason,
        after: current.values,
        time: now().toISOString(),
      })
    }
  }
  opts.onProgress?.(changes.length, changes.length)
  const status = !opts.apply ? 'dry-run' : batchStatus(results)
  if (id && store && status !== 'dry-run') await store.journal.finishBatch(id, status, now().toISOString())
  return { id, status, results }
}

function batchStatus(results: readonly ChangeResult[]): BatchStatus {
  const ok = (r: ChangeResult) => r.status === 'applied' || r.status === 'already'
  if (results.every(ok)) return 'applied'
  return results.some((r) => r.status === 'applied') ? 'partial' : 'failed'
}
