// The read step of a sync: bring the snapshot up to date from the source — a delta
// when the source can tell what changed since the stored cursor, else a full read —
// and say what left (deleted, or out of the scope). A read that fails throws before
// anything is stored: a partial read never turns into deletions.
import type { Config } from '../config/schema.js'
import { missingBases } from '../connectors/ldap/bases.js'
import { isIncremental, type Source } from '../connectors/types.js'
import { anchorOf, type DirObject } from '../core/model.js'
import type { SnapshotRecord } from '../core/sync-model.js'
import type { Store } from '../store/types.js'
import { openSource } from './open-source.js'
import { mappingAttributes, recordOf, Scope, SYNC_ATTRIBUTES, scopeHash } from './snapshot.js'

const CURSOR_MAX_AGE_MS = 60 * 86_400_000

export interface ReadOutcome {
  mode: 'full' | 'delta'
  snapshot: Map<string, SnapshotRecord>
  /** anchors the source reported deleted in this read */
  deleted: Set<string>
  /** anchors that left the snapshot in this read (deleted or out of the scope) */
  left: Set<string>
  /** records added or changed */
  changed: number
  /** set when the configured scope differs from the one of the previous read */
  scopeChanged: string | null
  /** include bases that do not exist (renamed or moved OUs): a scope shrink, not a read error */
  missing: string[]
}

/** The key under which a source's snapshot is stored. */
export function sourceKey(cfg: Config['source']): string {
  return cfg.type === 'ldif'
    ? `ldif:${cfg.path}`
    : `ldap:${cfg.url.toLowerCase()}|${([] as string[]).concat(cfg.baseDN).join(';').toLowerCase()}`
}

export function syncAttributes(config: Config): string[] {
  const extra = mappingAttributes(config.targets.flatMap((t) => [t.mapping.users, t.mapping.groups]))
  return [...new Set([...SYNC_ATTRIBUTES, ...extra])]
}

export async function readForSync(
  config: Config,
  store: Store,
  opts: { full?: boolean; onProgress?: (n: number) => void } = {},
): Promise<ReadOutcome> {
  const key = sourceKey(config.source)
  const state = await store.sync.sourceState(key)
  const hash = scopeHash(config.source.scope, config.source.type === 'ldap' ? config.source.baseDN : '')
  const scopeChanged = state && state.scopeHash !== hash ? describeScopeChange(state.scopeHash, hash) : null
  const scope = new Scope(config.source.scope)
  const attributes = syncAttributes(config)

  if (config.source.type === 'ldap' && config.source.scope.include.length > 0) {
    const missing = await missingBases(config.source, config.source.scope.include)
    if (missing.length > 0) {
      const snapshot = await store.sync.loadSnapshot(key)
      return {
        mode: 'full',
        snapshot,
        deleted: new Set(),
        left: new Set(),
        changed: 0,
        scopeChanged,
        missing,
      }
    }
  }

  const source = openSource(config.source)
  try {
    // a cursor older than the tombstones it relies on would miss deletions (AD keeps them 180 days)
    const fresh = state !== null && Date.now() - Date.parse(state.readAt) < CURSOR_MAX_AGE_MS
    if (!opts.full && !scopeChanged && fresh && state?.cursor && isIncremental(source)) {
      const delta = await source.changesSince(state.cursor, { attributes, extendedDn: true })
      if (delta) {
        const snapshot = await store.sync.loadSnapshot(key)
        const upsert: SnapshotRecord[] = []
        const left = new Set<string>()
        for (const obj of delta.changed) {
          const anchor = anchorOf(obj)
          if (anchor === null) continue
          const rec = scope.verdict(obj).in ? recordOf(obj) : null
          if (rec) {
            snapshot.set(rec.anchor, rec)
            upsert.push(rec)
          } else if (snapshot.delete(anchor)) {
            left.add(anchor)
          }
        }
        const deleted = new Set<string>()
        if (delta.deletedGuids.length > 0) {
          const byGuid = new Map(
            [...snapshot.values()].filter((r) => r.guid).map((r) => [r.guid as string, r.anchor]),
          )
          for (const g of delta.deletedGuids) {
            const anchor = byGuid.get(g)
            if (anchor && snapshot.delete(anchor)) {
              deleted.add(anchor)
              left.add(anchor)
            }
          }
        }
        await store.sync.saveSnapshot(
          key,
          { upsert, remove: [...left] },
          { cursor: delta.cursor, scopeHash: hash, readAt: new Date().toISOString(), objects: snapshot.size },
        )
        return {
          mode: 'delta',
          snapshot,
          deleted,
          left,
          changed: upsert.length,
          scopeChanged: null,
          missing: [],
        }
      }
    }
    return await fullRead(source, key, hash, scope, attributes, store, scopeChanged, opts.onProgress)
  } finally {
    await source.close()
  }
}

async function fullRead(
  source: Source,
  key: string,
  hash: string,
  scope: Scope,
  attributes: string[],
  store: Store,
  scopeChanged: string | null,
  onProgress?: (n: number) => void,
): Promise<ReadOutcome> {
  // the cursor is taken before the read: what changes during it is read again next time
  // (a server that is not an AD DC has no USN cursor: every read is a full one)
  const cursor = isIncremental(source) ? await source.currentCursor().catch(() => null) : null
  const before = await store.sync.loadSnapshot(key)
  const snapshot = new Map<string, SnapshotRecord>()
  let n = 0
  for await (const obj of source.read({
    attributes,
    extendedDn: true,
    ...(onProgress ? { onProgress } : {}),
  }) as AsyncIterable<DirObject>) {
    n++
    if (!scope.verdict(obj).in) continue
    const rec = recordOf(obj)
    if (rec) snapshot.set(rec.anchor, rec)
  }
  void n
  const left = new Set([...before.keys()].filter((a) => !snapshot.has(a)))
  const changed = [...snapshot.values()].filter(
    (r) => JSON.stringify(before.get(r.anchor)) !== JSON.stringify(r),
  ).length
  await store.sync.saveSnapshot(
    key,
    { replace: [...snapshot.values()] },
    { cursor, scopeHash: hash, readAt: new Date().toISOString(), objects: snapshot.size },
  )
  return { mode: 'full', snapshot, deleted: new Set(), left, changed, scopeChanged, missing: [] }
}

function describeScopeChange(before: string, now: string): string {
  const a = JSON.parse(before) as Record<string, unknown>
  const b = JSON.parse(now) as Record<string, unknown>
  const parts = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
  return parts.length ? `${parts.join(', ')} edited` : 'edited'
}
