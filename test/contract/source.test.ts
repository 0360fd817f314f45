// The Source contract, run against every implementation: the LDAP source on a real
// Samba AD DC, and the LDIF source on a dump of the same directory made with
// ldapsearch. Both must yield the same objects, byte for byte.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runScan, SCAN_ATTRIBUTES } from '../../src/app/scan.js'
import type { ScopeConfig } from '../../src/config/schema.js'
import { LdapSource } from '../../src/connectors/ldap/source.js'
import { LdifSource } from '../../src/connectors/ldif/source.js'
import type { Source } from '../../src/connectors/types.js'
import { anchorOf, type DirObject } from '../../src/core/model.js'
import { ldapSourceConfig, ldapsearch, samba, sambaSkipReason } from '../support/samba.js'
import type { SambaEnv } from '../support/samba-env.js'

const env = samba()
const SEED_USERS = 2000
const ATTRS = [...SCAN_ATTRIBUTES, 'member']

async function readAll(source: Source, attributes: readonly string[] = ATTRS): Promise<DirObject[]> {
  const out: DirObject[] = []
  for await (const o of source.read({ attributes })) out.push(o)
  await source.close()
  return out
}

/** A canonical, comparable form: DN, and attribute → values (bytes as base64). */
function canonical(objects: DirObject[]): Map<string, Record<string, string[]>> {
  const map = new Map<string, Record<string, string[]>>()
  for (const o of objects) {
    const rec: Record<string, string[]> = {}
    for (const [k, vs] of [...o.attrs].sort(([a], [b]) => a.localeCompare(b))) {
      rec[k] = vs.map((v) => (typeof v === 'string' ? v : `b64:${Buffer.from(v).toString('base64')}`)).sort()
    }
    map.set(o.dn.toLowerCase(), rec)
  }
  return map
}

describe.skipIf(!env)(`Source contract (${env ? 'Samba + LDIF dump' : sambaSkipReason()})`, () => {
  const e = env as SambaEnv
  let seedOu: string
  let ldifPath: string
  /** the seed is idempotent and may have been run larger on a reused DC */
  let seededUsers: number
  const implementations: Record<string, (scope: ScopeConfig) => Source> = {
    ldap: (scope) => new LdapSource(ldapSourceConfig(e, { scope })),
    ldif: (scope) => new LdifSource(ldifPath, scope),
  }
  const scope = (over: Partial<ScopeConfig> = {}): ScopeConfig => ({
    include: [seedOu],
    exclude: [],
    filter: '(objectClass=*)',
    ...over,
  })

  beforeAll(() => {
    seedOu = `OU=Seed,${e.baseDN}`
    // seeded directory: users with IdFix-style problems every 10th, groups, contacts
    execFileSync('bash', [e.script, 'seed', e.dir, String(SEED_USERS)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, SAMBA_SEED_DIRTY_EVERY: '10' },
    })
    const dir = mkdtempSync(join(tmpdir(), 'idsync-contract-'))
    ldifPath = join(dir, 'seed.ldif')
    const dump = ldapsearch(e, seedOu, ATTRS)
    writeFileSync(ldifPath, dump)
    seededUsers = dump.split('\n').filter((l) => l === 'objectClass: user').length
  }, 300_000)

  for (const [name, make] of Object.entries(implementations)) {
    describe(name, () => {
      it('yields every object under the include base', async () => {
        const objects = await readAll(make(scope()))
        const users = objects.filter((o) => o.attrs.get('objectclass')?.includes('user'))
        expect(users.length).toBeGreaterThanOrEqual(SEED_USERS)
        expect(users).toHaveLength(seededUsers)
        expect(objects.every((o) => o.dn.toLowerCase().endsWith(seedOu.toLowerCase()))).toBe(true)
      })

      it('keeps objectGUID as 16 bytes and derives the anchor from it', async () => {
        const objects = await readAll(make(scope()))
        for (const o of objects) {
          const guid = o.attrs.get('objectguid')?.[0]
          expect(guid).toBeInstanceOf(Uint8Array)
          expect((guid as Uint8Array).length).toBe(16)
          expect(anchorOf(o)).toBe(Buffer.from(guid as Uint8Array).toString('base64'))
        }
      })

      it('honours exclude bases and the filter', async () => {
        const excluded = `OU=Contacts,${seedOu}`
        const objects = await readAll(
          make(scope({ exclude: [excluded], filter: '(|(objectClass=contact)(objectClass=group))' })),
        )
        expect(objects.length).toBeGreaterThan(0)
        expect(objects.some((o) => o.dn.toLowerCase().endsWith(excluded.toLowerCase()))).toBe(false)
        expect(objects.every((o) => o.attrs.get('objectclass')?.includes('group'))).toBe(true)
      })

      it('returns every member of a large group', async () => {
        const objects = await readAll(make(scope({ filter: '(cn=All-Sales)' })))
        expect(objects).toHaveLength(1)
        expect(objects[0]?.attrs.get('member')).toHaveLength(seededUsers / 5)
      })
    })
  }

  it('LDAP and LDIF sources yield the same objects, value for value', async () => {
    const [fromLdap, fromLdif] = await Promise.all([
      readAll(implementations.ldap!(scope())),
      readAll(implementations.ldif!(scope())),
    ])
    const a = canonical(fromLdap)
    const b = canonical(fromLdif)
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
    for (const [dn, rec] of a) expect(b.get(dn), dn).toEqual(rec)
  })

  it('LDAP and LDIF scans of the same directory give the same findings', async () => {
    const rules = { set: 'entra' as const, suffixMap: new Map([['corp.example.test', 'corp.example.com']]) }
    const sorted = (r: Awaited<ReturnType<typeof runScan>>) => ({
      summary: r.summary,
      findings: [...r.findings].sort((a, b) =>
        `${a.dn}|${a.attribute}|${a.value}`.localeCompare(`${b.dn}|${b.attribute}|${b.value}`),
      ),
    })
    const a = await runScan(ldapSourceConfig(e, { scope: scope() }), rules)
    const b = await runScan({ type: 'ldif', path: ldifPath, scope: scope() }, rules)
    expect(a.summary.findings).toBeGreaterThan(SEED_USERS / 10)
    expect(sorted(a)).toEqual(sorted(b))
  })

  it('fetches a multi-valued attribute in ranges when the server pages its values', async () => {
    // AD pages values past MaxValRange (1500) on its own; Samba only when asked, so ask
    const objects = await readAll(
      new LdapSource(ldapSourceConfig(e, { scope: scope({ filter: '(cn=All-Sales)' }) })),
      ['cn', 'member;range=0-99'],
    )
    const members = objects[0]?.attrs.get('member') ?? []
    expect(members).toHaveLength(seededUsers / 5)
    expect(new Set(members.map(String)).size).toBe(seededUsers / 5)
  })
})
