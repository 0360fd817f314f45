// Which objects match the scope filter, asked of the server. A delta read finds changed
// objects by uSNChanged, not by the filter; the filter must then be judged by the
// directory itself (extensible matches such as userAccountControl bit tests, memberOf,
// attributes that were not read cannot be judged by idsync).
import { AndFilter, EqualityFilter, FilterParser, OrFilter } from 'ldapts'
import type { LdapSourceConfig } from '../../config/schema.js'
import { connectLdap, describeLdapError } from './connection.js'

const CHUNK = 50

/** The objectGUIDs (base64) among `guids` of objects that match the scope filter. */
export async function matchingGuids(cfg: LdapSourceConfig, guids: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>()
  if (guids.length === 0) return out
  const scopeFilter = FilterParser.parseString(cfg.scope.filter)
  const client = await connectLdap(cfg)
  try {
    for (let i = 0; i < guids.length; i += CHUNK) {
      const any = new OrFilter({
        filters: guids
          .slice(i, i + CHUNK)
          .map((g) => new EqualityFilter({ attribute: 'objectGUID', value: Buffer.from(g, 'base64') })),
      })
      for (const base of ([] as string[]).concat(cfg.baseDN)) {
        const { searchEntries } = await client.search(base, {
          scope: 'sub',
          filter: new AndFilter({ filters: [scopeFilter, any] }),
          attributes: ['objectGUID'],
          explicitBufferAttributes: ['objectGUID'],
        })
        for (const e of searchEntries) out.add(Buffer.from(e.objectGUID as Buffer).toString('base64'))
      }
    }
  } catch (e) {
    throw describeLdapError(e, cfg.url, cfg.bindDN)
  } finally {
    await client.unbind().catch(() => {})
  }
  return out
}
