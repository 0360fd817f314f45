// A store written by an earlier idsync opens with this one: the missing migrations run in
// order, and what was stored keeps its meaning.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS } from '../../../src/store/sqlite/migrations.js'
import { openSqliteStore } from '../../../src/store/sqlite/store.js'

describe('a store from the version before the per-target scope (schema 3)', () => {
  it('gains the per-target scope table, and keeps the source state and its accepted scope', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'idsync-mig-')), 'old.db')
    const old = new Database(path)
    old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)')
    for (let v = 0; v < 3; v++) {
      old.exec(MIGRATIONS[v] as string)
      old.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1)
    }
    old
      .prepare(
        'INSERT INTO source_state (source, cursor, scope_hash, accepted_scope, read_at, objects) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run('ldif:x', null, '{"include":[]}', '{"include":[]}', '2026-11-01T00:00:00Z', 3)
    old.close()

    const store = openSqliteStore(path)
    try {
      expect((await store.sync.sourceState('ldif:x'))?.acceptedScope).toBe('{"include":[]}')
      // no target has accepted anything yet: each falls back to the source's accepted scope
      expect(await store.sync.acceptedScopes('ldif:x')).toEqual(new Map())
      await store.sync.acceptScope('ldif:x', 'app', '{"include":["OU=A"]}')
      expect(await store.sync.acceptedScopes('ldif:x')).toEqual(new Map([['app', '{"include":["OU=A"]}']]))
    } finally {
      await store.close()
    }
  })
})
