// The store: everything idsync remembers between runs. One interface, implemented by
// SQLite (default, one file) and later PostgreSQL (several instances). Async so that
// a networked database fits the same shape.

import type { AttrValue } from '../core/model.js'
import type { SnapshotRecord, SourceCursor, SyncKind, TargetObject, TargetRow } from '../core/sync-model.js'

export type BatchKind = 'fix' | 'upn-suffix' | 'undo'
export type BatchStatus = 'running' | 'applied' | 'partial' | 'failed' | 'interrupted'

export type ChangeStatus =
  /** written to the journal before the directory: the outcome is not known yet */
  | 'pending'
  | 'applied'
  /** the directory already held the intended value: nothing written */
  | 'already'
  /** the value changed since it was read: not written */
  | 'stale'
  | 'failed'
  /** refused before any write (invalid value, collision) */
  | 'refused'
  /** not attempted (the connection was lost before its turn) */
  | 'skipped'

export interface NewBatch {
  id: string
  time: string
  operator: string
  kind: BatchKind
  /** the batch an undo reverses */
  undoes?: string | undefined
  source: string
  host: string
  pid: number
}

export interface BatchSummary extends NewBatch {
  status: BatchStatus
  changes: number
  applied: number
  stale: number
  /** failed or refused */
  failed: number
  /** journaled before the write, outcome unknown (the process stopped) */
  pending: number
  /** not attempted (the connection was lost before) */
  skipped: number
  finished: string | null
}

export interface JournalChange {
  seq: number
  dn: string
  anchor: string | null
  attribute: string
  /** what was asked: replace one value, remove one value, add a value, restore a whole set */
  action: 'edit' | 'remove' | 'add' | 'restore'
  /** the value the finding saw (null: attribute was missing) */
  oldValue: string | null
  /** the value asked for (null for remove) */
  newValue: string | null
  /** every value of the attribute before the change, as read just before writing */
  before: AttrValue[] | null
  /** every value of the attribute after the change */
  after: AttrValue[] | null
  status: ChangeStatus
  reason: string | null
  time: string
}

export interface JournalStore {
  createBatch(b: NewBatch): Promise<void>
  /** record a change before it is attempted; returns it with its seq */
  addChange(batchId: string, c: Omit<JournalChange, 'seq'>): Promise<JournalChange>
  updateChange(
    batchId: string,
    seq: number,
    patch: Partial<Pick<JournalChange, 'status' | 'reason' | 'before' | 'after' | 'time' | 'dn'>>,
  ): Promise<void>
  finishBatch(batchId: string, status: BatchStatus, finished: string): Promise<void>
  /** newest first */
  listBatches(): Promise<BatchSummary[]>
  getBatch(id: string): Promise<BatchSummary | null>
  getChanges(batchId: string): Promise<JournalChange[]>
}

/** The objects of `preview` targets: what a cloud directory would hold, kept locally. */
export interface PreviewStore {
  list(target: string, kind: SyncKind): Promise<TargetObject[]>
  get(target: string, kind: SyncKind, id: string): Promise<TargetObject | null>
  /** by externalId, name (userName / group displayName) or email, case-insensitive: up to two matches */
  find(
    target: string,
    kind: SyncKind,
    by: 'externalId' | 'name' | 'email',
    value: string,
  ): Promise<TargetObject[]>
  put(target: string, obj: TargetObject, index: { name: string | null; email: string | null }): Promise<void>
  delete(target: string, kind: SyncKind, id: string): Promise<void>
  /** every group of the target that lists `memberId` (to drop a deleted member) */
  groupsWithMember(target: string, memberId: string): Promise<TargetObject[]>
}

export interface SourceState {
  cursor: SourceCursor | null
  /** the scope of the last read */
  scopeHash: string
  /** the scope the last sync that passed the guard applied with; a change of scope is judged against it */
  acceptedScope: string | null
  readAt: string
  objects: number
}

export interface SnapshotChange {
  /** a full read: these records are the whole snapshot */
  replace?: readonly SnapshotRecord[]
  /** a delta: records added or changed */
  upsert?: readonly SnapshotRecord[]
  /** a delta: anchors that left (deleted or out of scope) */
  remove?: readonly string[]
}

export interface RunSummary {
  id: string
  target: string
  kind: 'plan' | 'sync'
  started: string
  finished: string | null
  status: 'running' | 'applied' | 'errors' | 'guarded' | 'failed' | 'nothing' | 'planned' | 'interrupted'
  counts: Record<string, number>
  errors: number
  message: string | null
}

export interface ExportError {
  target: string
  anchor: string
  op: string
  type: string
  status: number | null
  message: string
  time: string
  /** how many runs in a row this object failed */
  count: number
}

export interface LoggedOp {
  runId: string
  seq: number
  anchor: string
  op: string
  detail: string
}

export interface LastExport {
  op: string
  result: string
  time: string
}

export interface TargetRowWithLast extends TargetRow {
  last: LastExport | null
}

export interface SyncStore {
  sourceState(source: string): Promise<SourceState | null>
  loadSnapshot(source: string): Promise<Map<string, SnapshotRecord>>
  /** the snapshot change and the new source state, in one transaction */
  saveSnapshot(source: string, change: SnapshotChange, state: SourceState): Promise<void>
  /**
   * objects whose anchor changed (mS-DS-ConsistencyGuid set or changed): their target
   * state follows them, in every target, so that the change is an update, not a delete + create
   */
  rekey(pairs: readonly (readonly [string, string])[]): Promise<void>
  /** a sync of this target passed the guard and applied with this scope */
  acceptScope(source: string, target: string, scopeHash: string): Promise<void>
  /** the scope each target last passed the guard with, by target name */
  acceptedScopes(source: string): Promise<Map<string, string>>
  /** every target accepted this scope: reads stop treating it as a change */
  acceptSourceScope(source: string, scopeHash: string): Promise<void>
  targetRows(target: string): Promise<Map<string, TargetRowWithLast>>
  putRow(target: string, row: TargetRow, last: LastExport): Promise<void>
  removeRow(target: string, anchor: string): Promise<void>
  startRun(run: { id: string; target: string; kind: 'plan' | 'sync'; started: string }): Promise<void>
  finishRun(
    id: string,
    r: {
      status: RunSummary['status']
      counts: Record<string, number>
      errors: number
      message: string | null
      finished: string
    },
  ): Promise<void>
  runs(target: string | null, limit: number): Promise<RunSummary[]>
  /** the intent log: an operation is written here before it is sent */
  logOp(op: LoggedOp & { target: string; time: string }): Promise<void>
  settleOp(runId: string, seq: number, status: 'done' | 'failed'): Promise<void>
  /** an operation succeeded: its new target state (or its removal), settled, its error cleared — one transaction */
  settleSuccess(s: {
    runId: string
    seq: number
    target: string
    anchor: string
    row: TargetRow | null
    last: LastExport
  }): Promise<void>
  /** operations sent by a run that stopped before it knew their outcome */
  pendingOps(target: string): Promise<LoggedOp[]>
  /** a run that completed has re-planned whatever earlier runs left pending: forget those */
  settleEarlier(target: string, runId: string): Promise<void>
  putError(e: Omit<ExportError, 'count'>): Promise<void>
  clearError(target: string, anchor: string): Promise<void>
  errors(target: string | null): Promise<ExportError[]>
  approve(planHash: string, target: string, by: string, time: string): Promise<void>
  isApproved(planHash: string): Promise<boolean>
}

export interface Store {
  readonly journal: JournalStore
  readonly preview: PreviewStore
  readonly sync: SyncStore
  readonly description: string
  close(): Promise<void>
}
