// Active Directory / OpenLDAP as a source: paged subtree searches streamed page by page
// (ldapts searchPaginated), binary attributes kept as bytes, large multi-valued
// attributes fetched in ranges (`member;range=0-1499`), several bases (include list,
// naming contexts, or the Global Catalog). Any failure throws; a short read never
// passes for a complete one. Incremental reads (AD uSNChanged polling) are in delta.ts.
import { type Client, Control, type Entry } from 'ldapts'
import { isGlobalCatalog, type LdapSourceConfig } from '../../config/schema.js'
import { isUnder } from '../../core/dn.js'
import { IdsyncError } from '../../core/errors.js'
import { type AttrValue, BINARY_ATTRIBUTES, type DirObject } from '../../core/model.js'
import { dnOfValue } from '../../core/refs.js'
import type { DeltaResult, IncrementalSource, ReadOptions, SourceCursor } from '../types.js'
import { connectLdap, describeLdapError } from './connection.js'
import { changesSince, currentCursor, type DeltaContext } from './delta.js'

const RANGE = /^([^;]+);range=(\d+)-(\d+|\*)$/i

/** LDAP_SERVER_EXTENDED_DN_OID: DNs come as `<GUID=…>;<SID=…>;DN` (the entry's own DN too) */
const extendedDnControl = () => new Control('1.2.840.113556.1.4.529')
const plainDn = (dn: string): string => (dn.startsWith('<GUID=') ? dnOfValue(dn) : dn)

/** The attribute names ldapts must return as Buffers, in the spellings servers use. */
const BUFFER_ATTRIBUTES = [
  'objectGUID',
  'objectSid',
  'mS-DS-ConsistencyGuid',
  'thumbnailPhoto',
  'jpegPhoto',
  'userCertificate',
  'userSMIMECertificate',
  'sIDHistory',
  'msExchMailboxGuid',
  'cACertificate',
]

export class LdapSource implements IncrementalSource {
  readonly description: string
  private client: Client | null = null

  constructor(private readonly cfg: LdapSourceConfig) {
    this.description = `LDAP ${cfg.url}`
  }

  private async connection(): Promise<Client> {
    this.client ??= await connectLdap(this.cfg)
    return this.client
  }

  /** The search bases: the include list, else the base DN(s). */
  bases(): string[] {
    if (this.cfg.scope.include.length > 0) return this.cfg.scope.include
    return Array.isArray(this.cfg.baseDN) ? this.cfg.baseDN : [this.cfg.baseDN]
  }

  async *read(options: ReadOptions): AsyncGenerator<DirObject> {
    const client = await this.connection()
    const attributes = [...new Set(options.attributes)]
    let n = 0
    for (const base of this.bases()) {
      const pages = client.searchPaginated(
        base,
        {
          scope: 'sub',
          filter: this.cfg.scope.filter,
          attributes,
          explicitBufferAttributes: BUFFER_ATTRIBUTES,
          paged: { pageSize: this.cfg.pageSize },
        },
        options.extendedDn ? extendedDnControl() : undefined,
      )
      try {
        // ask for the next page before working through this one, so that the server
        // prepares it while we turn entries into objects (reads and work overlap)
        let next = pages.next()
        for (;;) {
          const page = await next
          if (page.done) break
          next = pages.next()
          next.catch(() => {}) // surfaced by the await above on the next turn
          for (const entry of page.value.searchEntries) {
            if (this.cfg.scope.exclude.some((x) => isUnder(plainDn(entry.dn), x))) continue
            const obj = await this.toDirObject(client, entry)
            options.onProgress?.(++n)
            yield obj
          }
        }
      } catch (e) {
        const err = describeLdapError(e, this.cfg.url, this.cfg.bindDN)
        if (err.code === 'ERR_LDAP_READ' && /no such object/.test(err.message)) {
          throw new IdsyncError('ERR_LDAP_READ', `${this.cfg.url}: the search base ${base} does not exist`, {
            cause: e,
          })
        }
        throw new IdsyncError(
          err.code,
          `reading ${base} failed, nothing was used from this read: ${err.message}`,
          { cause: e },
        )
      }
    }
  }

  private async toDirObject(client: Client, entry: Entry): Promise<DirObject> {
    const dn = plainDn(entry.dn)
    const attrs = new Map<string, AttrValue[]>()
    for (const [key, raw] of Object.entries(entry)) {
      if (key === 'dn') continue
      const m = RANGE.exec(key)
      const name = (m ? (m[1] as string) : (key.split(';')[0] as string)).toLowerCase()
      let values = normalize(name, raw)
      // ldapts lists every requested attribute, present or not; absent ones have no values
      if (values.length === 0 && !m) continue
      if (m && m[3] !== '*')
        values = values.concat(await this.rest(client, dn, m[1] as string, Number(m[3]) + 1))
      const list = attrs.get(name)
      if (list) list.push(...values)
      else attrs.set(name, values)
    }
    return { dn, attrs }
  }

  /** The remaining ranges of a large multi-valued attribute (AD returns 1500 values at a time). */
  private async rest(client: Client, dn: string, attribute: string, from: number): Promise<AttrValue[]> {
    const raw = await remainingRanges(client, dn, attribute, from, BUFFER_ATTRIBUTES, this.cfg.url)
    return raw.flatMap((r) => normalize(attribute.toLowerCase(), r))
  }

  async currentCursor(): Promise<SourceCursor> {
    // the Global Catalog holds a partial replica, without every change or tombstone a
    // delta read relies on: every read through it is a full one
    if (isGlobalCatalog(this.cfg.url))
      throw new IdsyncError(
        'ERR_LDAP_READ',
        `${this.cfg.url}: no incremental reads through the Global Catalog`,
      )
    return currentCursor(await this.deltaContext())
  }

  async changesSince(cursor: SourceCursor, options: ReadOptions): Promise<DeltaResult | null> {
    if (isGlobalCatalog(this.cfg.url)) return null
    return changesSince(
      { ...(await this.deltaContext()), ...(options.extendedDn ? { extended: extendedDnControl() } : {}) },
      cursor,
      options,
    )
  }

  /** Changes are looked for in the naming context(s), not the include list: the caller decides scope. */
  private async deltaContext(): Promise<DeltaContext> {
    const client = await this.connection()
    return {
      client,
      url: this.cfg.url,
      bindDN: this.cfg.bindDN,
      bases: Array.isArray(this.cfg.baseDN) ? this.cfg.baseDN : [this.cfg.baseDN],
      pageSize: this.cfg.pageSize,
      bufferAttributes: BUFFER_ATTRIBUTES,
      toObject: (entry) => this.toDirObject(client, entry),
    }
  }

  async close(): Promise<void> {
    const c = this.client
    this.client = null
    await c?.unbind().catch(() => {})
  }
}

function normalize(name: string, raw: Entry[string]): AttrValue[] {
  const list = Array.isArray(raw) ? raw : [raw]
  if (BINARY_ATTRIBUTES.has(name))
    return list.map((v) =>
      typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : new Uint8Array(v),
    )
  return list.map((v) => (typeof v === 'string' ? v : v.toString('utf8')))
}

/**
 * The values of `attribute` from index `from` on, read range by range (`;range=N-*`)
 * until the server marks the last one; the raw value lists, one per range.
 */
export async function remainingRanges(
  client: Client,
  dn: string,
  attribute: string,
  from: number,
  explicitBufferAttributes: string[],
  url: string,
): Promise<Entry[string][]> {
  const out: Entry[string][] = []
  let start = from
  for (;;) {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      attributes: [`${attribute};range=${start}-*`],
      explicitBufferAttributes,
    })
    const e = searchEntries[0]
    if (!e)
      throw new IdsyncError(
        'ERR_LDAP_READ',
        `${url}: ${dn} vanished while its ${attribute} values were read in ranges`,
      )
    const key = Object.keys(e).find((k) => RANGE.test(k))
    if (!key) return out
    const m = RANGE.exec(key) as RegExpExecArray
    out.push(e[key] as Entry[string])
    if (m[3] === '*') return out
    start = Number(m[3]) + 1
  }
}

/** `name;range=lo-hi` → its parts; null for any other attribute description. */
export const rangeOf = (key: string): { name: string; last: number | null } | null => {
  const m = RANGE.exec(key)
  return m ? { name: m[1] as string, last: m[3] === '*' ? null : Number(m[3]) } : null
}
