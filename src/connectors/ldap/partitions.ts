// Cutting an LDAP read into parts that separate connections can read at once: the
// children of each search base (OUs, containers, and any object directly under it),
// dealt out round-robin. A directory server works on several searches in parallel;
// one paged search keeps it to one. Only worth it, and only done, for bases with a
// modest number of children (an OU structure), not for a flat container of users.
import type { LdapSourceConfig } from '../../config/schema.js'
import { connectLdap, describeLdapError } from './connection.js'

const MAX_CHILDREN = 256

/** include lists, one per part; null when the read should stay one part */
export async function ldapPartitions(cfg: LdapSourceConfig, parts: number): Promise<string[][] | null> {
  if (parts < 2) return null
  const bases = cfg.scope.include.length > 0 ? cfg.scope.include : ([] as string[]).concat(cfg.baseDN)
  const client = await connectLdap(cfg)
  const children: string[] = []
  try {
    for (const base of bases) {
      const { searchEntries } = await client.search(base, {
        scope: 'one',
        filter: '(objectClass=*)',
        attributes: ['1.1'],
        sizeLimit: MAX_CHILDREN + 1,
      })
      if (searchEntries.length > MAX_CHILDREN) return null
      children.push(...searchEntries.map((e) => e.dn))
    }
  } catch (e) {
    // too many children (size limit), or anything else: read in one part, which reports real errors
    void describeLdapError(e, cfg.url, cfg.bindDN)
    return null
  } finally {
    await client.unbind().catch(() => {})
  }
  if (children.length < 2) return null
  children.sort()
  const out: string[][] = Array.from({ length: Math.min(parts, children.length) }, () => [])
  children.forEach((dn, i) => {
    out[i % out.length]?.push(dn)
  })
  return out
}
