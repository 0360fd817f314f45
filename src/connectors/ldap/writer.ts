// Write-back to the directory for fixes and undo: read one attribute of one object
// byte for byte (by anchor when known, so a renamed or moved object is still found),
// and change values with one modify request per change (delete old + add new together,
// so an object is never left with neither, and the server itself refuses to delete a
// value that is no longer there).
import {
  Attribute,
  Change,
  type Client,
  type Entry,
  EqualityFilter,
  Filter,
  InvalidDNSyntaxError,
  NoSuchObjectError,
} from 'ldapts'
import { isGlobalCatalog, type LdapSourceConfig } from '../../config/schema.js'
import { domainRoots } from '../../core/dn.js'
import { IdsyncError } from '../../core/errors.js'
import type { AddressHolder, ReadBack, WritableDirectory } from '../types.js'
import { connectLdap, describeLdapError } from './connection.js'
import { rangeOf, remainingRanges } from './source.js'

// the end of the connection; a bind refusal stops the command before the batch starts
// (connect()), and a refused write (insufficient access, result 50) is one change's failure
const CONNECTION_LOST = new Set(['ERR_LDAP_CONNECT'])

export class LdapWriter implements WritableDirectory {
  private client: Client | null = null
  /** the first connect or bind failure, returned again instead of trying again */
  private failed: unknown = null

  constructor(private readonly cfg: LdapSourceConfig) {
    if (isGlobalCatalog(cfg.url))
      throw new IdsyncError(
        'ERR_USAGE',
        `${cfg.url} is the Global Catalog, which is read-only: fix and undo need a domain controller's port (ldaps:// 636, or 389 with startTLS)`,
      )
    if (cfg.allowInsecure && !cfg.url.toLowerCase().startsWith('ldaps://') && !cfg.startTLS) {
      throw new IdsyncError(
        'ERR_LDAP_TLS',
        `${cfg.url}: writes need LDAPS or StartTLS; allowInsecure is for reading test labs only`,
      )
    }
  }

  get description(): string {
    return `LDAP ${this.cfg.url}`
  }

  async connect(): Promise<void> {
    await this.connection()
  }

  private async connection(): Promise<Client> {
    if (this.failed) throw this.failed
    try {
      this.client ??= await connectLdap({ ...this.cfg, allowInsecure: false })
    } catch (err) {
      this.failed = err
      throw err
    }
    return this.client
  }

  private bases(): string[] {
    return Array.isArray(this.cfg.baseDN) ? this.cfg.baseDN : [this.cfg.baseDN]
  }

  /** Where uniqueness is checked: the whole domain of each base, not only the configured part. */
  private domains(): string[] {
    return domainRoots(this.bases())
  }

  /**
   * The object's current DN and every value of `attribute`, or null when it is gone.
   * By DN first (one base read), checked against the anchor; if the object moved, by
   * objectGUID (`<GUID=…>`, a direct lookup), then by mS-DS-ConsistencyGuid.
   */
  async read(dn: string, anchor: string | null, attribute: string): Promise<ReadBack | null> {
    const client = await this.connection()
    const attributes = [attribute, 'objectGUID', 'mS-DS-ConsistencyGuid']
    const opts = { attributes, explicitBufferAttributes: attributes }
    const pick = async (e: Entry): Promise<ReadBack> => ({
      dn: e.dn,
      anchor: anchorOfEntry(e),
      values: await this.allValues(client, e, attribute),
    })
    // the journal's anchor may predate an mS-DS-ConsistencyGuid set since: either GUID is the object
    const matches = (e: Entry) => !anchor || guidsOfEntry(e).includes(anchor)
    try {
      const byDn = await this.baseSearch(client, dn, opts)
      if (byDn && matches(byDn)) return await pick(byDn)
      if (!anchor) return null
      const value = Buffer.from(anchor, 'base64')
      if (value.length === 16) {
        const byGuid = await this.baseSearch(client, `<GUID=${value.toString('hex')}>`, opts)
        if (byGuid && matches(byGuid)) return await pick(byGuid)
      }
      // as a filter object: ldapts turns `\xx` escapes of a filter string into text,
      // which mangles bytes that are not UTF-8
      const filter = new EqualityFilter({ attribute: 'mS-DS-ConsistencyGuid', value })
      for (const base of this.bases()) {
        const { searchEntries } = await client.search(base, { scope: 'sub', filter, ...opts })
        const e = searchEntries[0]
        if (e) return await pick(e)
      }
      return null
    } catch (err) {
      throw describeLdapError(err, this.cfg.url, this.cfg.bindDN)
    }
  }

  /**
   * Every value of `attribute`: AD hands out a large multi-valued attribute 1500 values
   * at a time (`proxyAddresses;range=0-1499`), and the journal needs them all.
   */
  private async allValues(client: Client, e: Entry, attribute: string): Promise<Buffer[]> {
    const wanted = attribute.toLowerCase()
    for (const key of Object.keys(e)) {
      const r = rangeOf(key)
      if (!r || r.name.toLowerCase() !== wanted) continue
      const first = asBuffers(e[key])
      if (r.last === null) return first
      const rest = await remainingRanges(client, e.dn, attribute, r.last + 1, [attribute], this.cfg.url)
      return first.concat(rest.flatMap(asBuffers))
    }
    return asBuffers(attributeOf(e, attribute))
  }

  private async baseSearch(
    client: Client,
    base: string,
    opts: { attributes: string[]; explicitBufferAttributes: string[] },
  ): Promise<Entry | null> {
    try {
      const { searchEntries } = await client.search(base, { scope: 'base', ...opts })
      return searchEntries[0] ?? null
    } catch (err) {
      if (err instanceof NoSuchObjectError || err instanceof InvalidDNSyntaxError) return null
      throw err
    }
  }

  /** One modify request: delete `remove`, then add `add`, atomically. */
  async modify(
    dn: string,
    attribute: string,
    remove: readonly Buffer[],
    add: readonly Buffer[],
  ): Promise<void> {
    const client = await this.connection()
    const changes: Change[] = []
    if (remove.length > 0)
      changes.push(
        new Change({
          operation: 'delete',
          modification: new Attribute({ type: attribute, values: [...remove] }),
        }),
      )
    if (add.length > 0)
      changes.push(
        new Change({ operation: 'add', modification: new Attribute({ type: attribute, values: [...add] }) }),
      )
    if (changes.length === 0) return
    try {
      await client.modify(dn, changes)
    } catch (err) {
      throw describeLdapError(err, this.cfg.url, this.cfg.bindDN)
    }
  }

  /** Replace every value of `attribute` (undo --force). */
  async replace(dn: string, attribute: string, values: readonly Buffer[]): Promise<void> {
    const client = await this.connection()
    try {
      await client.modify(
        dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: attribute, values: [...values] }),
        }),
      )
    } catch (err) {
      throw describeLdapError(err, this.cfg.url, this.cfg.bindDN)
    }
  }

  /** The objects holding an address as UPN, mail or smtp: proxy address, and in which attributes. */
  async addressHolders(address: string): Promise<AddressHolder[]> {
    const a = Filter.escape(address)
    const filter = `(|(userPrincipalName=${a})(mail=${a})(proxyAddresses=smtp:${a}))`
    const wanted = address.toLowerCase()
    const entries = await this.searchDomains(filter, ['userPrincipalName', 'mail', 'proxyAddresses'])
    return entries.map((e) => {
      const list = (name: string) =>
        asBuffers(attributeOf(e, name)).map((b) => b.toString('utf8').toLowerCase())
      const attributes: AddressHolder['attributes'] = []
      if (list('userPrincipalName').includes(wanted)) attributes.push('userPrincipalName')
      if (list('mail').includes(wanted)) attributes.push('mail')
      if (list('proxyAddresses').some((v) => v.startsWith('smtp:') && v.slice(5) === wanted))
        attributes.push('proxyAddresses')
      return { dn: e.dn, attributes }
    })
  }

  /** The objects whose `attribute` equals `value` (case-insensitively, as AD compares). */
  async holders(attribute: string, value: string): Promise<{ dn: string; guids: string[] }[]> {
    const guids = ['objectGUID', 'mS-DS-ConsistencyGuid']
    const entries = await this.searchDomains(new EqualityFilter({ attribute, value }), guids, guids)
    return entries.map((e) => ({ dn: e.dn, guids: guidsOfEntry(e) }))
  }

  private async searchDomains(
    filter: string | Filter,
    attributes: string[],
    explicitBufferAttributes: string[] = [],
  ): Promise<Entry[]> {
    const client = await this.connection()
    const out: Entry[] = []
    try {
      for (const base of this.domains()) {
        const { searchEntries } = await client.search(base, {
          scope: 'sub',
          filter,
          attributes,
          explicitBufferAttributes,
        })
        out.push(...searchEntries)
      }
    } catch (err) {
      throw describeLdapError(err, this.cfg.url, this.cfg.bindDN)
    }
    return out
  }

  async close(): Promise<void> {
    const c = this.client
    this.client = null
    await c?.unbind().catch(() => {})
  }
}

/** Is this error the end of the connection (stop the batch) rather than one change's failure? */
export const isConnectionLost = (e: unknown): boolean =>
  e instanceof IdsyncError && CONNECTION_LOST.has(e.code)

function attributeOf(e: Entry, attribute: string): unknown {
  const key = Object.keys(e).find((k) => k.toLowerCase() === attribute.toLowerCase())
  return key === undefined ? undefined : e[key]
}

/** objectGUID and mS-DS-ConsistencyGuid (base64), whichever are set. */
function guidsOfEntry(e: Entry): string[] {
  return ['mS-DS-ConsistencyGuid', 'objectGUID']
    .map((name) => asBuffers(attributeOf(e, name))[0])
    .filter((v): v is Buffer => v !== undefined && v.length > 0)
    .map((v) => v.toString('base64'))
}

/** The anchor as the scan computes it: mS-DS-ConsistencyGuid when set, else objectGUID. */
function anchorOfEntry(e: Entry): string | null {
  for (const name of ['mS-DS-ConsistencyGuid', 'objectGUID']) {
    const v = asBuffers(attributeOf(e, name))[0]
    if (v && v.length > 0) return v.toString('base64')
  }
  return null
}

function asBuffers(raw: unknown): Buffer[] {
  if (raw === undefined) return []
  const list = Array.isArray(raw) ? raw : [raw]
  return list.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8')))
}
