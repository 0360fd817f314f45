// The preview targets' objects in SQLite: one row per object, indexed by externalId,
// with the name and email kept lower-cased for case-insensitive lookups.
import type Database from 'better-sqlite3'
import type { SyncKind, TargetObject } from '../../core/sync-model.js'
import type { PreviewStore } from '../types.js'

type Row = { data: string }

export class SqlitePreview implements PreviewStore {
  constructor(private readonly db: Database.Database) {}

  private rows(rows: Row[]): TargetObject[] {
    return rows.map((r) => JSON.parse(r.data) as TargetObject)
  }

  async list(target: string, kind: SyncKind): Promise<TargetObject[]> {
    return this.rows(
      this.db
        .prepare('SELECT data FROM preview_objects WHERE target = ? AND kind = ? ORDER BY id')
        .all(target, kind) as Row[],
    )
  }

  async get(target: string, kind: SyncKind, id: string): Promise<TargetObject | null> {
    const r = this.db
      .prepare('SELECT data FROM preview_objects WHERE target = ? AND kind = ? AND id = ?')
      .get(target, kind, id) as Row | undefined
    return r ? (JSON.parse(r.data) as TargetObject) : null
  }

  async find(
    target: string,
    kind: SyncKind,
    by: 'externalId' | 'name' | 'email',
    value: string,
  ): Promise<TargetObject[]> {
    const col = by === 'externalId' ? 'external_id' : by
    const v = by === 'externalId' ? value : value.toLowerCase()
    // two are enough to tell an ambiguous lookup
    const rows = this.db
      .prepare(`SELECT data FROM preview_objects WHERE target = ? AND kind = ? AND ${col} = ? LIMIT 2`)
      .all(target, kind, v) as Row[]
    return rows.map((r) => JSON.parse(r.data) as TargetObject)
  }

  async put(
    target: string,
    obj: TargetObject,
    index: { name: string | null; email: string | null },
  ): Promise<void> {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO preview_objects (target, kind, id, external_id, name, email, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        target,
        obj.kind,
        obj.id,
        obj.externalId,
        index.name?.toLowerCase() ?? null,
        index.email?.toLowerCase() ?? null,
        JSON.stringify(obj),
      )
  }

  async delete(target: string, kind: SyncKind, id: string): Promise<void> {
    this.db
      .prepare('DELETE FROM preview_objects WHERE target = ? AND kind = ? AND id = ?')
      .run(target, kind, id)
  }

  async groupsWithMember(target: string, memberId: string): Promise<TargetObject[]> {
    // members are few per group row; a LIKE prefilter then an exact check
    const rows = this.db
      .prepare("SELECT data FROM preview_objects WHERE target = ? AND kind = 'group' AND data LIKE ?")
      .all(target, `%${memberId}%`) as Row[]
    return this.rows(rows).filter((g) => g.members?.includes(memberId))
  }
}
