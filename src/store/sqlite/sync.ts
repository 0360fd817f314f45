// The synchronization state in SQLite: the snapshot per source, the target state per
// target, runs, the intent log, export errors and plan approvals. Snapshot and target
// rows hold their data as JSON: they are read and written whole.
import { hostname } from 'node:os'
import type Database from 'better-sqlite3'
import type { SnapshotRecord, TargetRow } from '../../core/sync-model.js'
import type {
  ExportError,
  LastExport,
  LoggedOp,
  RunSummary,
  SnapshotChange,
  SourceState,
  SyncStore,
  TargetRowWithLast,
} from '../types.js'
import { isRunningHere } from './alive.js'

type Row = Record<string, unknown>

export class SqliteSync implements SyncStore {
  constructor(private readonly db: Database.Database) {}

  async sourceState(source: string): Promise<SourceState | null> {
    const r = this.db.prepare('SELECT * FROM source_state WHERE source = ?').get(source) as Row | undefined
    if (!r) return null
    return {
      cursor: r.cursor ? JSON.parse(r.cursor as string) : null,
      scopeHash: r.scope_hash as string,
      acceptedScope: (r.accepted_scope as string | null) ?? null,
      readAt: r.read_at as string,
      objects: r.objects as number,
    }
  }

  async loadSnapshot(source: string): Promise<Map<string, SnapshotRecord>> {
    const out = new Map<string, SnapshotRecord>()
    for (const r of this.db
      .prepare('SELECT data FROM snapshot WHERE source = ?')
      .iterate(source) as IterableIterator<{ data: string }>) {
      const rec = JSON.parse(r.data) as SnapshotRecord
      out.set(rec.anchor, rec)
    }
    return out
  }

  async saveSnapshot(source: string, change: SnapshotChange, state: SourceState): Promise<void> {
    const put = this.db.prepare(
      'INSERT OR REPLACE INTO snapshot (source, anchor, guid, dn, kind, data) VALUES (?, ?, ?, ?, ?, ?)',
    )
    const del = this.db.prepare('DELETE FROM snapshot WHERE source = ? AND anchor = ?')
    this.db.transaction(() => {
      if (change.replace) {
        this.db.prepare('DELETE FROM snapshot WHERE source = ?').run(source)
        for (const r of change.replace) put.run(source, r.anchor, r.guid, r.dn, r.kind, JSON.stringify(r))
      }
      for (const r of change.upsert ?? []) put.run(source, r.anchor, r.guid, r.dn, r.kind, JSON.stringify(r))
      for (const a of change.remove ?? []) del.run(source, a)
      this.db
        .prepare(
          'INSERT OR REPLACE INTO source_state (source, cursor, scope_hash, accepted_scope, read_at, objects) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          source,
          state.cursor ? JSON.stringify(state.cursor) : null,
          state.scopeHash,
          state.acceptedScope,
          state.readAt,
          state.objects,
        )
    })()
  }

  async rekey(pairs: readonly (readonly [string, string])[]): Promise<void> {
    const refs = this.db.prepare(
      'SELECT target, anchor, attrs, members FROM target_state WHERE members LIKE ? OR attrs LIKE ?',
    )
    const write = this.db.prepare(
      'UPDATE target_state SET attrs = ?, members = ? WHERE target = ? AND anchor = ?',
    )
    this.db.transaction(() => {
      for (const [from, to] of pairs) {
        this.db.prepare('DELETE FROM target_state WHERE anchor = ?').run(to)
        this.db.prepare('UPDATE target_state SET anchor = ? WHERE anchor = ?').run(to, from)
        this.db.prepare('UPDATE export_errors SET anchor = ? WHERE anchor = ?').run(to, from)
        // references to it from other objects (members, manager) follow; its own externalId
        // keeps the old value, so that the plan sends the new one
        for (const r of refs.all(`%"${from}"%`, `%"${from}"%`) as Row[]) {
          const attrs = JSON.parse(r.attrs as string) as Record<string, unknown>
          for (const [k, v] of Object.entries(attrs)) if (k !== 'externalId' && v === from) attrs[k] = to
          const members = (JSON.parse(r.members as string) as string[]).map((m) => (m === from ? to : m))
          write.run(JSON.stringify(attrs), JSON.stringify(members), r.target, r.anchor)
        }
      }
    })()
  }

  async acceptScope(source: string, target: string, scopeHash: string): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO target_scope (source, target, scope_hash) VALUES (?, ?, ?)')
      .run(source, target, scopeHash)
  }

  async acceptedScopes(source: string): Promise<Map<string, string>> {
    const rows = this.db
      .prepare('SELECT target, scope_hash FROM target_scope WHERE source = ?')
      .all(source) as Row[]
    return new Map(rows.map((r) => [r.target as string, r.scope_hash as string]))
  }

  async acceptSourceScope(source: string, scopeHash: string): Promise<void> {
    this.db.prepare('UPDATE source_state SET accepted_scope = ? WHERE source = ?').run(scopeHash, source)
  }

  async targetRows(target: string): Promise<Map<string, TargetRowWithLast>> {
    const out = new Map<string, TargetRowWithLast>()
    for (const r of this.db
      .prepare('SELECT * FROM target_state WHERE target = ?')
      .iterate(target) as IterableIterator<Row>) {
      out.set(r.anchor as string, {
        anchor: r.anchor as string,
        kind: r.kind as TargetRow['kind'],
        targetId: r.target_id as string,
        attrs: JSON.parse(r.attrs as string),
        members: JSON.parse(r.members as string),
        state: r.state as TargetRow['state'],
        disabledAt: (r.disabled_at as string | null) ?? null,
        last: r.last_op
          ? { op: r.last_op as string, result: r.last_result as string, time: r.last_time as string }
          : null,
      })
    }
    return out
  }

  async putRow(target: string, row: TargetRow, last: LastExport): Promise<void> {
    this.putRowSync(target, row, last)
  }

  private putRowSync(target: string, row: TargetRow, last: LastExport): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO target_state (target, anchor, kind, target_id, attrs, members, state, disabled_at, last_op, last_result, last_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        target,
        row.anchor,
        row.kind,
        row.targetId,
        JSON.stringify(row.attrs),
        JSON.stringify(row.members),
        row.state,
        row.disabledAt,
        last.op,
        last.result,
        last.time,
      )
  }

  async removeRow(target: string, anchor: string): Promise<void> {
    this.db.prepare('DELETE FROM target_state WHERE target = ? AND anchor = ?').run(target, anchor)
  }

  async startRun(run: { id: string; target: string; kind: 'plan' | 'sync'; started: string }): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO runs (id, target, kind, started, status, counts, host, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(run.id, run.target, run.kind, run.started, 'running', '{}', hostname(), process.pid)
  }

  async finishRun(
    id: string,
    r: {
      status: RunSummary['status']
      counts: Record<string, number>
      errors: number
      message: string | null
      finished: string
    },
  ): Promise<void> {
    this.db
      .prepare('UPDATE runs SET status = ?, counts = ?, errors = ?, message = ?, finished = ? WHERE id = ?')
      .run(r.status, JSON.stringify(r.counts), r.errors, r.message, r.finished, id)
  }

  async runs(target: string | null, limit: number): Promise<RunSummary[]> {
    const rows = (
      target
        ? this.db
            .prepare('SELECT * FROM runs WHERE target = ? ORDER BY started DESC, id DESC LIMIT ?')
            .all(target, limit)
        : this.db.prepare('SELECT * FROM runs ORDER BY started DESC, id DESC LIMIT ?').all(limit)
    ) as Row[]
    return rows.map((r) => {
      let status = r.status as RunSummary['status']
      if (status === 'running' && !isRunningHere(r.host as string, r.pid as number)) status = 'interrupted'
      return {
        id: r.id as string,
        target: r.target as string,
        kind: r.kind as RunSummary['kind'],
        started: r.started as string,
        finished: (r.finished as string | null) ?? null,
        status,
        counts: JSON.parse(r.counts as string),
        errors: r.errors as number,
        message: (r.message as string | null) ?? null,
      }
    })
  }

  async logOp(op: LoggedOp & { target: string; time: string }): Promise<void> {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO op_log (run_id, seq, target, anchor, op, detail, status, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(op.runId, op.seq, op.target, op.anchor, op.op, op.detail, 'pending', op.time)
  }

  async settleOp(runId: string, seq: number, status: 'done' | 'failed'): Promise<void> {
    // settled operations are of no further use: keep the log small
    if (status === 'done') this.db.prepare('DELETE FROM op_log WHERE run_id = ? AND seq = ?').run(runId, seq)
    else this.db.prepare('UPDATE op_log SET status = ? WHERE run_id = ? AND seq = ?').run(status, runId, seq)
  }

  async settleSuccess(x: {
    runId: string
    seq: number
    target: string
    anchor: string
    row: TargetRow | null
    last: LastExport
  }): Promise<void> {
    this.db.transaction(() => {
      if (x.row) this.putRowSync(x.target, x.row, x.last)
      else this.db.prepare('DELETE FROM target_state WHERE target = ? AND anchor = ?').run(x.target, x.anchor)
      this.db.prepare('DELETE FROM op_log WHERE run_id = ? AND seq = ?').run(x.runId, x.seq)
      this.db.prepare('DELETE FROM export_errors WHERE target = ? AND anchor = ?').run(x.target, x.anchor)
    })()
  }

  async pendingOps(target: string): Promise<LoggedOp[]> {
    const rows = this.db
      .prepare("SELECT * FROM op_log WHERE target = ? AND status = 'pending' ORDER BY run_id, seq")
      .all(target) as Row[]
    return rows.map((r) => ({
      runId: r.run_id as string,
      seq: r.seq as number,
      anchor: r.anchor as string,
      op: r.op as string,
      detail: r.detail as string,
    }))
  }

  async settleEarlier(target: string, runId: string): Promise<void> {
    this.db.prepare('DELETE FROM op_log WHERE target = ? AND run_id <> ?').run(target, runId)
  }

  async putError(e: Omit<ExportError, 'count'>): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO export_errors (target, anchor, op, type, status, message, time, count) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (target, anchor) DO UPDATE SET op = excluded.op, type = excluded.type, status = excluded.status,
           message = excluded.message, time = excluded.time, count = export_errors.count + 1`,
      )
      .run(e.target, e.anchor, e.op, e.type, e.status, e.message, e.time)
  }

  async clearError(target: string, anchor: string): Promise<void> {
    this.db.prepare('DELETE FROM export_errors WHERE target = ? AND anchor = ?').run(target, anchor)
  }

  async errors(target: string | null): Promise<ExportError[]> {
    const rows = (
      target
        ? this.db.prepare('SELECT * FROM export_errors WHERE target = ? ORDER BY type, time').all(target)
        : this.db.prepare('SELECT * FROM export_errors ORDER BY target, type, time').all()
    ) as Row[]
    return rows.map((r) => ({
      target: r.target as string,
      anchor: r.anchor as string,
      op: r.op as string,
      type: r.type as string,
      status: (r.status as number | null) ?? null,
      message: r.message as string,
      time: r.time as string,
      count: r.count as number,
    }))
  }

  async approve(planHash: string, target: string, by: string, time: string): Promise<void> {
    this.db
      .prepare('INSERT OR REPLACE INTO approvals (plan_hash, target, approved_by, time) VALUES (?, ?, ?, ?)')
      .run(planHash, target, by, time)
  }

  async isApproved(planHash: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM approvals WHERE plan_hash = ?').get(planHash) !== undefined
  }
}
