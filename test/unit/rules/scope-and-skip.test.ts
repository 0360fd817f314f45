// Which objects a scan looks at, and which in-scope objects it skips: critical system
// objects, machine and trust accounts, replication conflicts and service accounts.
import { describe, expect, it } from 'vitest'
import { dirObject } from '../../../src/core/model.js'
import { contact, dnOf, group, scan, user } from './helpers.js'

const bad = { userPrincipalName: 'bad value', mail: 'x@contoso.local' }
const skippedOnly = (r: ReturnType<typeof scan>) => ({ ...r.summary, findings: r.findings.length })

describe('scope', () => {
  it('leaves computers, OUs and the domain root out and counts them nowhere', () => {
    const r = scan([
      dirObject('CN=PC1,OU=Computers,DC=contoso,DC=com', {
        objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
        sAMAccountName: 'PC1$',
        ...bad,
      }),
      dirObject('CN=DC1,OU=Domain Controllers,DC=contoso,DC=com', {
        objectClass: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
        isCriticalSystemObject: 'TRUE',
      }),
      dirObject('OU=Staff,DC=contoso,DC=com', { objectClass: ['top', 'organizationalUnit'], ...bad }),
      dirObject('DC=contoso,DC=com', { objectClass: ['top', 'domain', 'domainDNS'] }),
    ])
    expect(r).toEqual({ summary: { objects: 0, skipped: 0, findings: 0, byCode: {} }, findings: [] })
  })

  it('leaves a computer out even when its DN is a replication conflict', () => {
    const r = scan([
      dirObject('CN=PC1\\0ACNF:0f1e2d3c-aaaa-bbbb-cccc-000000000000,OU=Computers,DC=contoso,DC=com', {
        objectClass: ['top', 'user', 'computer'],
      }),
    ])
    expect(skippedOnly(r)).toEqual({ objects: 0, skipped: 0, findings: 0, byCode: {} })
  })

  it('scans users, contacts and groups', () => {
    const r = scan([user('U', bad), contact('C', bad), group('G', bad)])
    expect(r.summary.objects).toBe(3)
    expect(new Set(r.findings.map((f) => f.objectClass))).toEqual(new Set(['user', 'contact', 'group']))
  })
})

describe('skip rules', () => {
  it.each(['TRUE', 'true', 'True'])('skips isCriticalSystemObject %s', (v) => {
    const r = scan([user('Administrator', { ...bad, isCriticalSystemObject: v })])
    expect(skippedOnly(r)).toEqual({ objects: 1, skipped: 1, findings: 0, byCode: {} })
  })

  it('scans isCriticalSystemObject FALSE', () => {
    const r = scan([user('A', { ...bad, isCriticalSystemObject: 'FALSE' })])
    expect(r.summary.skipped).toBe(0)
    expect(r.findings.length).toBeGreaterThan(0)
  })

  it('skips machine and trust accounts ending in $', () => {
    const r = scan([user('CONTOSO$', { ...bad, sAMAccountName: 'FABRIKAM$' })])
    expect(skippedOnly(r)).toEqual({ objects: 1, skipped: 1, findings: 0, byCode: {} })
  })

  it.each([
    'krbtgt',
    'KRBTGT',
    'Guest',
    'guest',
    'DefaultAccount',
    'WDAGUtilityAccount',
    'MSOL_0123456789ab',
    'msol_x',
    'AAD_987',
    'SUPPORT_388945a0',
    'CAS_{abc}',
    'HealthMailbox0a1b2c3',
    'healthmailboxX',
    'SM_4a5b6c',
  ])('skips the service account %s', (sam) => {
    const r = scan([user('Svc', { ...bad, sAMAccountName: sam })])
    expect(skippedOnly(r)).toEqual({ objects: 1, skipped: 1, findings: 0, byCode: {} })
  })

  it.each(['Guests', 'guest.relations', 'krbtgt_12345', 'xMSOL_1', 'SM', 'HealthMail'])(
    'scans %s, which is not exactly a service name or prefix',
    (sam) => {
      const r = scan([user('Person', { ...bad, sAMAccountName: sam })])
      expect(r.summary.skipped).toBe(0)
      expect(r.findings.length).toBeGreaterThan(0)
    },
  )

  it('does not skip real people whose cn looks like a service name (not IdFix)', () => {
    const r = scan([
      user('Guest Relations', { ...bad, sAMAccountName: 'grelations' }),
      user('Iwamoto Kenji', { ...bad, sAMAccountName: 'kiwamoto' }),
      user('Administration Office', { ...bad, sAMAccountName: 'admoffice' }),
      user('HealthMailbox Fan', { ...bad, sAMAccountName: 'hfan' }),
      user('SM_Smith', { ...bad, sAMAccountName: 'ssmith' }),
    ])
    expect(r.summary.skipped).toBe(0)
    expect(new Set(r.findings.map((f) => f.dn)).size).toBe(5)
  })

  it('applies the sAMAccountName rules to groups too', () => {
    const r = scan([
      group('Svc Group', { ...bad, sAMAccountName: 'MSOL_group' }),
      group('Trust', { sAMAccountName: 'X$' }),
    ])
    expect(skippedOnly(r)).toEqual({ objects: 2, skipped: 2, findings: 0, byCode: {} })
  })
})

describe('replication conflicts', () => {
  const cnf = 'CN=Jane Doe\\0ACNF:5a2b7c3d-1111-2222-3333-444455556666,OU=Staff,DC=contoso,DC=com'

  it('reports a conflict object once as a conflict warning on dn and counts it as skipped', () => {
    const guid = new Uint8Array(16).fill(7)
    const r = scan([
      dirObject(cnf, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        objectGUID: guid,
        ...bad,
        thumbnailPhoto: new Uint8Array(200_000),
      }),
    ])
    expect(r).toEqual({
      summary: { objects: 1, skipped: 1, findings: 1, byCode: { conflict: 1 } },
      findings: [
        {
          dn: cnf,
          objectClass: 'user',
          anchor: Buffer.from(guid).toString('base64'),
          attribute: 'dn',
          value: cnf,
          codes: ['conflict'],
          severity: 'warning',
          suggestion: null,
          action: 'none',
          conflictsWith: [],
        },
      ],
    })
  })

  it('matches \\0ACNF: case-insensitively and on groups and contacts', () => {
    const r = scan([
      dirObject('CN=Sales\\0acnf:1,OU=G,DC=contoso,DC=com', { objectClass: ['top', 'group'] }),
      dirObject('CN=Ext\\0ACNF:2,OU=C,DC=contoso,DC=com', { objectClass: ['top', 'contact'] }),
    ])
    expect(r.findings.map((f) => [f.objectClass, f.codes])).toEqual([
      ['group', ['conflict']],
      ['contact', ['conflict']],
    ])
    expect(r.summary.skipped).toBe(2)
  })

  it('does not make the live object a duplicate of its conflict copy', () => {
    const same = { userPrincipalName: 'jane@contoso.com', mail: 'jane@contoso.com', sAMAccountName: 'jdoe' }
    const r = scan([user('Jane Doe', same), dirObject(cnf, { objectClass: ['top', 'user'], ...same })])
    expect(r.findings.map((f) => [f.dn, f.codes])).toEqual([[cnf, ['conflict']]])
    expect(r.findings.some((f) => f.dn === dnOf('Jane Doe'))).toBe(false)
  })
})
