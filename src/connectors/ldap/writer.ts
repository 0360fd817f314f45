// Write-back to the directory for fixes and undo: read one attribute of one object
// byte for byte (by anchor when known, so a renamed or moved object is still found),
// and change values with one modify request per change (delete old + add new together,
// so an object is never left with neither, and the server itself refuses to delete a
// value that is no longer there).
import { Attribute, Change, type Client, EqualityFilter, Filter, OrFilter } from 'ldapts'
import type { LdapSourceConfig } from '../../config/schema.js'
import { IdsyncError } from '../../core/errors.js'
import type { ReadBack, WritableDirectory } from '../types.js'
import { connectLdap, describeLdapError } from './connection.js'

const CONNECTION_LOST = new Set(['ERR_LDAP_CONNECT'])

export class LdapWriter implements WritableDirectory {
  private client: Client | null = null

  constructor(private readonly cfg: LdapSourceConfig) {
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

  private async connection(): Promise<Client> {
    this.client ??= await connectLdap({ ...this.cfg, allowInsecure: false })
    return this.client
  }

  private bases(): string[] {
    return Array.isArray(this.cfg.baseDN) ? this.cfg.baseDN : [this.cfg.baseDN]
  }

  /** The object's current DN and every value of `attribute`, or null when it is gone. */
  async read(dn: string, anchor: string | null, attribute: string): Promise<ReadBack | null> {
    const client = await this.connection()
    try {
      if (anchor) {
        // as filter objects: ldapts turns `\xx` escapes of a filter string into text,
        // which mangles GUID bytes that are not UTF-8
        const value = Buffer.from(anchor, 'base64')
        const filter = new OrFilter({
          filters: [
            new EqualityFilter({ attribute: 'objectGUID', value }),
            new EqualityFilter({ attribute: 'mS-DS-ConsistencyGuid', value }),
          ],
        })
        for (const base of this.bases()) {
          const { searchEntries } = await client.search(base, {
            scope: 'sub',
            filter,
            attributes: [attribute],
            explicitBufferAttributes: [attribute],
          })
          const e = searchEntries[0]
          if (e)
            return {
              dn: e.dn,
              values: asBuffers(
                e[Object.keys(e).find((k) => k.toLowerCase() === attribute.toLowerCase()) ?? attribute],
              ),
            }
        }
        return null
      }
      const { searchEntries } = await client.search(dn, {
        scope: 'base',
        attributes: [attribute],
        explicitBufferAttributes: [attribute],
      })
      const e = searchEntries[0]
      if (!e) return null
      return {
        dn: e.dn,
        values: asBuffers(
          e[Object.keys(e).find((k) => k.toLowerCase() === attribute.toLowerCase()) ?? attribute],
        ),
      }
    } catch (err) {
      const d = describeLdapError(err, this.cfg.url, this.cfg.bindDN)
      if (/no such object/.test(d.message)) return null
      throw d
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

  /** DNs of the objects holding an address as UPN, mail or smtp: proxy address. */
  async addressHolders(address: string): Promise<string[]> {
    const client = await this.connection()
    const a = Filter.escape(address)
    const filter = `(|(userPrincipalName=${a})(mail=${a})(proxyAddresses=smtp:${a}))`
    const out: string[] = []
    try {
      for (const base of this.bases()) {
        const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: ['1.1'] })
        out.push(...searchEntries.map((e) => e.dn))
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

function asBuffers(raw: unknown): Buffer[] {
  if (raw === undefined) return []
  const list = Array.isArray(raw) ? raw : [raw]
  return list.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8')))
}
