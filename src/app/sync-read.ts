// The read step of a sync: bring the snapshot up to date from the source — a delta
// when the source can tell what changed since the stored cursor, else a full read —
// and say what left (deleted, or out of the scope). A read that fails throws before
// anything is stored: a partial read never turns into deletions.
import type { Config } from '../config/schema.js'
import { missingBases } from '../connectors/ldap/bases.js'
import { matchingGuids } from '../connectors/ldap/filter-check.js'
import { LdifSource } from '../connectors/ldif/source.js'
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
  /** set when the configured scope differs from the one the last applied sync accepted */
  scopeChanged: string | null
  /** the configured scope (to accept once a sync passed the guard) */
  scopeHash: string
  /** the snapshot's key in the store */
  sourceKey: string
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
  // judged against the scope the last applied sync accepted, not the last read: a plan
  // or a dry run with a new scope must not make the change look old the next time
  const accepted = state ? (state.acceptedScope ?? state.scopeHash) : hash
  const scopeChanged = accepted !== hash ? describeScopeChange(accepted, hash) : null
  const scope = new Scope(config.source.scope, config.source.type === 'ldap' ? config.source.baseDN : [])
  const attributes = syncAttributes(config)

  if (config.source.type === 'ldap' && config.source.scope.include.length > 0) {
    const missing = await missingBases(config.source, config.source.scope.include)
    if (missing.length > 0)
      return unused(await store.sync.loadSnapshot(key), missing, { scopeChanged, hash, key })
  }

  // a file cut off mid-record would lose its last objects: a sync never reads it as complete
  const source = openSource(config.source, undefined, { requireFinalNewline: true })
  try {
    // a cursor older than the tombstones it relies on would miss deletions (AD keeps them 180 days)
    const fresh = state !== null && Date.now() - Date.parse(state.readAt) < CURSOR_MAX_AGE_MS
    if (!opts.full && !scopeChanged && fresh && state?.cursor && isIncremental(source)) {
      const delta = await source.changesSince(state.cursor, { attributes, extendedDn: true })
      if (delta) {
        const snapshot = await store.sync.loadSnapshot(key)
        const upsert: SnapshotRecord[] = []
        const left = new Set<string>()
        // the filter is judged by the server: a uSNChanged search does not apply it
        const guidOf = (o: DirObject) => {
          const g = o.attrs.get('objectguid')?.[0]
          return g && typeof g !== 'string' ? Buffer.from(g).toString('base64') : null
        }
        const candidates = delta.changed.filter((o) => scope.verdict(o, { filter: false }).in)
        const matching =
          scope.trivialFilter || config.source.type !== 'ldap'
            ? null
            : await matchingGuids(
                config.source,
                candidates.map(guidOf).filter((g): g is string => g !== null),
              )
        const inScope = (o: DirObject) =>
          scope.verdict(o, { filter: false }).in && (matching === null || matching.has(guidOf(o) ?? ''))
        const anchorByGuid = guidIndex(snapshot)
        const rekeyed: [string, string][] = []
        const remove: string[] = []
        for (const obj of delta.changed) {
          const anchor = anchorOf(obj)
          if (anchor === null) continue
          const rec = inScope(obj) ? recordOf(obj) : null
          // the same object under a new anchor (mS-DS-ConsistencyGuid set or changed)
          const before = rec?.guid ? anchorByGuid.get(rec.guid) : undefined
          if (rec && before !== undefined && before !== rec.anchor) {
            snapshot.delete(before)
            remove.push(before)
            rekeyed.push([before, rec.anchor])
          }
          if (rec) {
            snapshot.set(rec.anchor, rec)
            upsert.push(rec)
          } else {
            const gone = obj.attrs.get('objectguid')?.[0]
            const known =
              gone && typeof gone !== 'string'
                ? (anchorByGuid.get(Buffer.from(gone).toString('base64')) ?? anchor)
                : anchor
            if (snapshot.delete(known)) left.add(known)
          }
        }
        if (rekeyed.length > 0) await store.sync.rekey(rekeyed)
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
          { upsert, remove: [...left, ...remove] },
          {
            cursor: delta.cursor,
            scopeHash: hash,
            acceptedScope: accepted,
            readAt: new Date().toISOString(),
            objects: snapshot.size,
          },
        )
        return {
          mode: 'delta',
          snapshot,
          deleted,
          left,
          changed: upsert.length,
          scopeChanged: null,
          missing: [],
          scopeHash: hash,
          sourceKey: key,
        }
      }
    }
    return await fullRead(
      source,
      key,
      { hash, accepted },
      scope,
      attributes,
      store,
      scopeChanged,
      config.source.scope.include,
      opts.onProgress,
    )
  } finally {
    await source.close()
  }
}

async function fullRead(
  source: Source,
  key: string,
  { hash, accepted }: { hash: string; accepted: string },
  scope: Scope,
  attributes: string[],
  store: Store,
  scopeChanged: string | null,
  includes: readonly string[],
  onProgress?: (n: number) => void,
): Promise<ReadOutcome> {
  // the cursor is taken before the read: what changes during it is read again next time
  // (a server that is not an AD DC has no USN cursor: every read is a full one)
  const cursor = isIncremental(source) ? await source.currentCursor().catch(() => null) : null
  const before = await store.sync.loadSnapshot(key)
  const snapshot = new Map<string, SnapshotRecord>()
  for await (const obj of source.read({
    attributes,
    extendedDn: true,
    ...(onProgress ? { onProgress } : {}),
  }) as AsyncIterable<DirObject>) {
    // the source applied the filter (the server, or the LDIF reader)
    if (!scope.verdict(obj, { filter: false }).in) continue
    const rec = recordOf(obj)
    if (rec) snapshot.set(rec.anchor, rec)
  }
  // an include base the LDIF file does not hold at all (an LDAP source is checked before
  // its read) was renamed or moved: a scope shrink for the guard, and the read is not used
  const present = source instanceof LdifSource ? source.presentBases : null
  const missing = present ? includes.filter((b) => !present.has(b)) : []
  if (missing.length > 0) return unused(before, missing, { scopeChanged, hash, key })
  // the same object under a new anchor (mS-DS-ConsistencyGuid set or changed) is not a
  // departure: its target state follows it
  const beforeByGuid = guidIndex(before)
  const rekeyed: [string, string][] = []
  for (const rec of snapshot.values()) {
    const was = rec.guid ? beforeByGuid.get(rec.guid) : undefined
    if (was !== undefined && was !== rec.anchor && !snapshot.has(was)) rekeyed.push([was, rec.anchor])
  }
  if (rekeyed.length > 0) await store.sync.rekey(rekeyed)
  const moved = new Set(rekeyed.map(([was]) => was))
  const left = new Set([...before.keys()].filter((a) => !snapshot.has(a) && !moved.has(a)))
  const changed = [...snapshot.values()].filter(
    (r) => JSON.stringify(before.get(r.anchor)) !== JSON.stringify(r),
  ).length
  await store.sync.saveSnapshot(
    key,
    { replace: [...snapshot.values()] },
    {
      cursor,
      scopeHash: hash,
      acceptedScope: accepted,
      readAt: new Date().toISOString(),
      objects: snapshot.size,
    },
  )
  return {
    mode: 'full',
    snapshot,
    deleted: new Set(),
    left,
    changed,
    scopeChanged,
    missing: [],
    scopeHash: hash,
    sourceKey: key,
  }
}

/** A read that is not used because include bases are missing: the last snapshot, unchanged. */
function unused(
  snapshot: Map<string, SnapshotRecord>,
  missing: string[],
  o: { scopeChanged: string | null; hash: string; key: string },
): ReadOutcome {
  return {
    mode: 'full',
    snapshot,
    deleted: new Set(),
    left: new Set(),
    changed: 0,
    scopeChanged: o.scopeChanged,
    missing,
    scopeHash: o.hash,
    sourceKey: o.key,
  }
}

function guidIndex(snapshot: ReadonlyMap<string, SnapshotRecord>): Map<string, string> {
  const out = new Map<string, string>()
  for (const r of snapshot.values()) if (r.guid) out.set(r.guid, r.anchor)
  return out
}

export function describeScopeChange(before: string, now: string): string {
  const a = JSON.parse(before) as Record<string, unknown>
  const b = JSON.parse(now) as Record<string, unknown>
  const parts = Object.keys(b).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
  return parts.length ? `${parts.join(', ')} edited` : 'edited'
}
