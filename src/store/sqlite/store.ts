// The SQLite store (better-sqlite3): one file, WAL mode so readers never block the
// writer, every journal write committed before the directory write it describes.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { IdsyncError } from '../../core/errors.js'
import { decodeValues, encodeValues } from '../codec.js'
import type {
  BatchStatus,
  BatchSummary,
  JournalChange,
  JournalStore,
  NewBatch,
  PreviewStore,
  Store,
  SyncStore,
} from '../types.js'
import { isRunningHere } from './alive.js'
import { MIGRATIONS } from './migrations.js'
import { SqlitePreview } from './preview.js'
import { SqliteSync } from './sync.js'

type Row = Record<string, unknown>

export function openSqliteStore(path: string): SqliteStore {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    const db = new Database(path)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 10000')
    migrate(db)
    return new SqliteStore(db, path)
  } catch (e) {
    if (e instanceof IdsyncError) throw e
    throw new IdsyncError('ERR_STORE', `store ${path}: cannot be opened (${(e as Error).message})`, {
      cause: e,
    })
  }
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)')
  const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number | null }
  const current = row.v ?? 0
  if (current > MIGRATIONS.length) {
    throw new IdsyncError(
      'ERR_STORE',
      `store ${db.name}: written by a newer idsync (schema ${current}, this one knows ${MIGRATIONS.length})`,
    )
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string)
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1)
    })()
  }
}

class SqliteJournal implements JournalStore {
  constructor(private readonly db: Database.Database) {}

  async createBatch(b: NewBatch): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO batches (id, time, operator, kind, undoes, source, host, pid, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(b.id, b.time, b.operator, b.kind, b.undoes ?? null, b.source, b.host, b.pid, 'running')
  }

  async addChange(batchId: string, c: Omit<JournalChange, 'seq'>): Promise<JournalChange> {
    const next = this.db
      .prepare('SELECT coalesce(max(seq), 0) + 1 AS s FROM changes WHERE batch_id = ?')
      .get(batchId) as { s: number }
    this.db
      .prepare(
        `INSERT INTO changes (batch_id, seq, dn, anchor, attribute, action, old_value, new_value, before, after, status, reason, time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        batchId,
        next.s,
        c.dn,
        c.anchor,
        c.attribute,
        c.action,
        c.oldValue,
        c.newValue,
        encodeValues(c.before),
        encodeValues(c.after),
        c.status,
        c.reason,
        c.time,
      )
    return { ...c, seq: next.s }
  }

  async updateChange(
    batchId: string,
    seq: number,
    patch: Partial<Pick<JournalChange, 'status' | 'reason' | 'before' | 'after' | 'time' | 'dn'>>,
  ): Promise<void> {
    const sets: string[] = []
    const args: unknown[] = []
    const col = {
      status: 'status',
      reason: 'reason',
      before: 'before',
      after: 'after',
      time: 'time',
      dn: 'dn',
    } as const
    for (const [k, v] of Object.entries(patch) as [keyof typeof col, unknown][]) {
      sets.push(`${col[k]} = ?`)
      args.push(k === 'before' || k === 'after' ? encodeValues(v as never) : v)
    }
    if (sets.length === 0) return
    this.db
      .prepare(`UPDATE changes SET ${sets.join(', ')} WHERE batch_id = ? AND seq = ?`)
      .run(...args, batchId, seq)
  }

  async finishBatch(batchId: string, status: BatchStatus, finished: string): Promise<void> {
    this.db.prepare('UPDATE batches SET status = ?, finished = ? WHERE id = ?').run(status, finished, batchId)
  }

  private summaries(where: string, args: unknown[]): BatchSummary[] {
    const rows = this.db
      .prepare(
        `SELECT b.*,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id) AS n_changes,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id AND c.status IN ('applied', 'already')) AS n_applied,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id AND c.status = 'stale') AS n_stale,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id AND c.status IN ('failed', 'refused')) AS n_failed,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id AND c.status = 'pending') AS n_pending,
           (SELECT count(*) FROM changes c WHERE c.batch_id = b.id AND c.status = 'skipped') AS n_skipped
         FROM batches b ${where} ORDER BY b.time DESC, b.id DESC`,
      )
      .all(...args) as Row[]
    return rows.map((r) => {
      let status = r.status as BatchStatus
      // a batch still "running" whose process is gone was interrupted
      if (status === 'running' && !isRunningHere(r.host as string, r.pid as number)) status = 'interrupted'
      return {
        id: r.id as string,
        time: r.time as string,
        operator: r.operator as string,
        kind: r.kind as BatchSummary['kind'],
        undoes: (r.undoes as string | null) ?? undefined,
        source: r.source as string,
        host: r.host as string,
        pid: r.pid as number,
        status,
        finished: (r.finished as string | null) ?? null,
        changes: r.n_changes as number,
        applied: r.n_applied as number,
        stale: r.n_stale as number,
        failed: r.n_failed as number,
        pending: r.n_pending as number,
        skipped: r.n_skipped as number,
      }
    })
  }

  async listBatches(): Promise<BatchSummary[]> {
    return this.summaries('', [])
  }

  async getBatch(id: string): Promise<BatchSummary | null> {
    return this.summaries('WHERE b.id = ?', [id])[0] ?? null
  }

  async getChanges(batchId: string): Promise<JournalChange[]> {
    const rows = this.db
      .prepare('SELECT * FROM changes WHERE batch_id = ? ORDER BY seq')
      .all(batchId) as Row[]
    return rows.map((r) => ({
      seq: r.seq as number,
      dn: r.dn as string,
      anchor: (r.anchor as string | null) ?? null,
      attribute: r.attribute as string,
      action: r.action as JournalChange['action'],
      oldValue: (r.old_value as string | null) ?? null,
      newValue: (r.new_value as string | null) ?? null,
      before: decodeValues(r.before as string | null),
      after: decodeValues(r.after as string | null),
      status: r.status as JournalChange['status'],
      reason: (r.reason as string | null) ?? null,
      time: r.time as string,
    }))
  }
}

export class SqliteStore implements Store {
  readonly journal: JournalStore
  readonly preview: PreviewStore
  readonly sync: SyncStore
  readonly description: string
  constructor(
    readonly db: Database.Database,
    path: string,
  ) {
    this.journal = new SqliteJournal(db)
    this.preview = new SqlitePreview(db)
    this.sync = new SqliteSync(db)
    this.description = `SQLite ${path}`
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
