// Which of the configured search bases exist. A renamed or moved OU makes its base
// vanish: the sync must treat that as a scope shrink (guard), not as a read error and
// never as "everything under it was deleted".
import { InvalidDNSyntaxError, NoSuchObjectError } from 'ldapts'
import type { LdapSourceConfig } from '../../config/schema.js'
import { connectLdap, describeLdapError } from './connection.js'

export async function missingBases(cfg: LdapSourceConfig, bases: readonly string[]): Promise<string[]> {
  const client = await connectLdap(cfg)
  const missing: string[] = []
  try {
    for (const base of bases) {
      try {
        await client.search(base, { scope: 'base', attributes: ['1.1'] })
      } catch (e) {
        if (e instanceof NoSuchObjectError || e instanceof InvalidDNSyntaxError) missing.push(base)
        else throw describeLdapError(e, cfg.url, cfg.bindDN)
      }
    }
  } finally {
    await client.unbind().catch(() => {})
  }
  return missing
}
