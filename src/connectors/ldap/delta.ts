// Incremental reads from Active Directory / Samba by uSNChanged polling: where a DC
// stands (its NTDS Settings DN, invocationId and highestCommittedUSN), and what changed
// on that DC since such a position. The cursor is read before the changes, so that a
// change made during the read is seen again next time rather than missed. Any failure
// throws: a delta that is short of a page, a subtree or its tombstones is never
// returned as complete.
import {
  type Client,
  Control,
  type Entry,
  InsufficientAccessError,
  NoSuchObjectError,
  type SearchOptions,
} from 'ldapts'
import { isUnder, normalizeDn } from '../../core/dn.js'
import { IdsyncError } from '../../core/errors.js'
import { bytes, type DirObject, texts } from '../../core/model.js'
import type { DeltaResult, ReadOptions, SourceCursor } from '../types.js'
import { describeLdapError } from './connection.js'

/** LDAP_SERVER_SHOW_DELETED_OID: makes tombstones visible to a search. */
const SHOW_DELETED = '1.2.840.113556.1.4.417'
/** The well-known GUID of a naming context's Deleted Objects container. */
const DELETED_OBJECTS_WKGUID = '18e2ea80684f11d2b9aa00c04f79f805'
/** The kinds of objects a sync reads, and the containers whose renames move them. */
const KINDS =
  '(|(objectClass=user)(objectClass=group)(objectClass=contact)(objectClass=organizationalUnit)(objectClass=container))'
const CONTAINER_CLASSES = new Set(['organizationalunit', 'container'])
/** Attributes a delta always returns: kinds, ordering and the object's identity. */
const DELTA_ATTRIBUTES = ['objectClass', 'uSNChanged', 'objectGUID']

/** What the delta functions need from the source that owns the connection. */
export interface DeltaContext {
  client: Client
  url: string
  bindDN: string
  /** the naming context(s) to look for changes in (the source's baseDN, not its include list) */
  bases: readonly string[]
  pageSize: number
  /** attribute names ldapts must return as bytes */
  bufferAttributes: readonly string[]
  /** an entry as a DirObject (ranged attributes fetched to the end) */
  toObject: (entry: Entry) => Promise<DirObject>
  /** the extended DN control, when references should carry GUIDs */
  extended?: Control
}

interface DcState {
  cursor: SourceCursor
  namingContexts: string[]
}

/** The DC's position now: the cursor a full read that starts now resumes from. */
export async function currentCursor(ctx: DeltaContext): Promise<SourceCursor> {
  try {
    return (await readDc(ctx)).cursor
  } catch (e) {
    throw failed(ctx, 'reading the position of the directory server', e)
  }
}

/**
 * What changed since `cursor` on the DC it came from, or null when the cursor cannot be
 * used (another DC, a restored DC, a USN the DC has not reached): the caller then reads
 * everything. Objects under a changed OU or container are read again, because renaming
 * or moving it changes their DNs without changing them.
 */
export async function changesSince(
  ctx: DeltaContext,
  cursor: SourceCursor,
  options: ReadOptions,
): Promise<DeltaResult | null> {
  let dc: DcState
  try {
    dc = await readDc(ctx)
  } catch (e) {
    throw deltaFailed(ctx, 'position of the directory server', e)
  }
  if (!usable(cursor, dc.cursor)) return null
  let ncs: string[]
  try {
    ncs = namingContextsOf(ctx, dc.namingContexts)
  } catch (e) {
    throw deltaFailed(ctx, 'naming contexts', e)
  }
  const from = (BigInt(cursor.usn) + 1n).toString()
  const attributes = withDeltaAttributes(options.attributes)
  const changed = new Map<string, DirObject>()
  let n = 0
  const keep = (obj: DirObject) => {
    changed.set(identity(obj), obj)
    options.onProgress?.(++n)
  }

  const containers: string[] = []
  // the whole naming context, not only the base: an object moved out of the base leaves
  // no tombstone, and must still be seen leaving the scope
  for (const base of ncs) {
    try {
      for await (const entry of entries(
        ctx,
        base,
        {
          filter: `(&(uSNChanged>=${from})${KINDS})`,
          attributes,
        },
        ctx.extended,
      )) {
        const obj = await ctx.toObject(entry)
        keep(obj)
        if (isContainer(obj)) containers.push(obj.dn)
      }
    } catch (e) {
      throw deltaFailed(ctx, `changes under ${base}`, e)
    }
  }

  for (const top of outermost(containers)) {
    try {
      for await (const entry of entries(ctx, top, { filter: KINDS, attributes }, ctx.extended))
        keep(await ctx.toObject(entry))
    } catch (e) {
      throw deltaFailed(ctx, `objects under the changed ${top}`, e)
    }
  }

  const deletedGuids = new Set<string>()
  for (const nc of ncs) {
    try {
      await assertTombstonesVisible(ctx, nc)
      const filter = `(&(isDeleted=TRUE)(uSNChanged>=${from}))`
      const show = new Control(SHOW_DELETED, { critical: true })
      for await (const entry of entries(ctx, nc, { filter, attributes: ['objectGUID'] }, show)) {
        const guid = guidOf(entry)
        if (!guid)
          throw new IdsyncError('ERR_LDAP_READ', `${ctx.url}: a deleted object under ${nc} has no objectGUID`)
        deletedGuids.add(guid)
      }
    } catch (e) {
      throw deltaFailed(ctx, `objects deleted from ${nc}`, e)
    }
  }

  return { changed: [...changed.values()], deletedGuids: [...deletedGuids], containers, cursor: dc.cursor }
}

/** rootDSE facts and the DC's invocationId (on its NTDS Settings object). */
async function readDc(ctx: DeltaContext): Promise<DcState> {
  const { searchEntries } = await ctx.client.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['highestCommittedUSN', 'dsServiceName', 'namingContexts'],
  })
  const root = searchEntries[0]
  const usn = root ? first(root, 'highestCommittedUSN') : undefined
  const server = root ? first(root, 'dsServiceName') : undefined
  if (!root || !usn || !/^\d+$/.test(usn) || !server) {
    throw new IdsyncError(
      'ERR_LDAP_READ',
      `${ctx.url}: the server publishes no highestCommittedUSN or dsServiceName: it is not an Active Directory domain controller, and cannot tell what changed`,
    )
  }
  const { searchEntries: ntds } = await ctx.client.search(server, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['invocationId'],
    explicitBufferAttributes: ['invocationId', 'invocationID'],
  })
  const raw = ntds[0] ? valuesOf(ntds[0], 'invocationId')[0] : undefined
  if (!Buffer.isBuffer(raw) || raw.length !== 16) {
    throw new IdsyncError('ERR_LDAP_READ', `${ctx.url}: ${server} has no readable invocationId`)
  }
  return {
    cursor: { kind: 'usn', server, invocationId: raw.toString('base64'), usn },
    namingContexts: valuesOf(root, 'namingContexts').map(String),
  }
}

/** A cursor resumes only on the same DC, in the same database incarnation, from its past. */
function usable(cursor: SourceCursor, now: SourceCursor): boolean {
  return (
    cursor.kind === 'usn' &&
    normalizeDn(cursor.server) === normalizeDn(now.server) &&
    cursor.invocationId === now.invocationId &&
    /^\d+$/.test(cursor.usn) &&
    BigInt(cursor.usn) <= BigInt(now.usn)
  )
}

/** Entries of a paged subtree search, page by page; the next page is requested before this one is used. */
async function* entries(
  ctx: DeltaContext,
  base: string,
  options: Pick<SearchOptions, 'filter' | 'attributes'>,
  control?: Control,
): AsyncGenerator<Entry> {
  const pages = ctx.client.searchPaginated(
    base,
    {
      scope: 'sub',
      ...options,
      explicitBufferAttributes: [...ctx.bufferAttributes],
      paged: { pageSize: ctx.pageSize },
    },
    control,
  )
  let next = pages.next()
  for (;;) {
    const page = await next
    if (page.done) return
    next = pages.next()
    next.catch(() => {}) // surfaced by the await above on the next turn
    yield* page.value.searchEntries
  }
}

/**
 * A bind account without rights on the Deleted Objects container sees no tombstones and
 * no error: deletions would go unnoticed. Samba still shows such an account the
 * container's DN, but not its objectGUID: reading that tells the two apart.
 */
async function assertTombstonesVisible(ctx: DeltaContext, nc: string): Promise<void> {
  const blind = (cause?: unknown) =>
    new IdsyncError(
      'ERR_LDAP_AUTH',
      `${ctx.url}: ${ctx.bindDN} cannot read the Deleted Objects container of ${nc}, so deletions cannot be seen`,
      { cause },
    )
  let container: Entry | undefined
  try {
    const { searchEntries } = await ctx.client.search(
      `<WKGUID=${DELETED_OBJECTS_WKGUID},${nc}>`,
      {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['objectGUID'],
        explicitBufferAttributes: ['objectGUID'],
      },
      new Control(SHOW_DELETED, { critical: true }),
    )
    container = searchEntries[0]
  } catch (e) {
    if (e instanceof NoSuchObjectError || e instanceof InsufficientAccessError) throw blind(e)
    throw e
  }
  if (!container || !guidOf(container)) throw blind()
}

/** The naming context holding each base (tombstones live in the NC's Deleted Objects, outside an OU base). */
function namingContextsOf(ctx: DeltaContext, namingContexts: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const base of ctx.bases) {
    const nc = namingContexts
      .filter((c) => isUnder(base, c))
      .sort((a, b) => normalizeDn(b).length - normalizeDn(a).length)[0]
    if (nc === undefined) {
      throw new IdsyncError(
        'ERR_LDAP_READ',
        `${ctx.url}: this domain controller does not hold ${base} (it is in none of its naming contexts), so it cannot tell what changed there`,
      )
    }
    out.set(normalizeDn(nc), nc)
  }
  return [...out.values()]
}

/** The containers not under another one in the list (their subtrees cover the rest). */
function outermost(dns: readonly string[]): string[] {
  const sorted = [...dns].sort((a, b) => normalizeDn(a).length - normalizeDn(b).length)
  const out: string[] = []
  for (const dn of sorted) if (!out.some((o) => isUnder(dn, o))) out.push(dn)
  return out
}

function withDeltaAttributes(requested: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const a of [...requested, ...DELTA_ATTRIBUTES])
    if (!out.has(a.toLowerCase())) out.set(a.toLowerCase(), a)
  return [...out.values()]
}

const isContainer = (obj: DirObject): boolean =>
  texts(obj, 'objectclass').some((c) => CONTAINER_CLASSES.has(c.toLowerCase()))

/** objectGUID (base64), else the DN: the same object read twice in one delta is kept once, as last read. */
function identity(obj: DirObject): string {
  const guid = bytes(obj, 'objectguid')
  return guid && guid.length > 0
    ? `guid:${Buffer.from(guid).toString('base64')}`
    : `dn:${normalizeDn(obj.dn)}`
}

function guidOf(entry: Entry): string | undefined {
  const v = valuesOf(entry, 'objectGUID')[0]
  return Buffer.isBuffer(v) && v.length === 16 ? v.toString('base64') : undefined
}

/** An attribute's values whatever case the server spells its name in. */
function valuesOf(entry: Entry, name: string): (string | Buffer)[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase())
  if (key === undefined) return []
  const raw = entry[key] as Entry[string]
  return Array.isArray(raw) ? raw : [raw]
}

function first(entry: Entry, name: string): string | undefined {
  const v = valuesOf(entry, name)[0]
  return v === undefined ? undefined : String(v)
}

/** Reading the DC's position failed. */
function failed(ctx: DeltaContext, what: string, e: unknown): IdsyncError {
  const err = describeLdapError(e, ctx.url, ctx.bindDN)
  return new IdsyncError(err.code, `${what} failed: ${err.message}`, { cause: e })
}

/** A failed incremental read: the caller keeps its cursor and uses nothing of the read. */
function deltaFailed(ctx: DeltaContext, step: string, e: unknown): IdsyncError {
  const err = describeLdapError(e, ctx.url, ctx.bindDN)
  return new IdsyncError(
    err.code,
    `the incremental read failed (${step}), nothing was used from it: ${err.message}`,
    {
      cause: e,
    },
  )
}
