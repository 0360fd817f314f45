// The scan summary (objects, skipped, findings, byCode) and the fields every finding
// carries (objectClass, anchor, severity).
import { describe, expect, it } from 'vitest'
import { dirObject } from '../../../src/core/model.js'
import { Scanner } from '../../../src/rules/scan.js'
import { severityOf } from '../../../src/rules/types.js'
import { contact, group, scan, user } from './helpers.js'

describe('summary', () => {
  it('is empty for no objects', () => {
    expect(scan([])).toEqual({ summary: { objects: 0, skipped: 0, findings: 0, byCode: {} }, findings: [] })
  })

  it('counts in-scope objects with skipped ones included, and nothing else', () => {
    const r = scan([
      user('A', { userPrincipalName: 'a@contoso.com' }),
      contact('B'),
      group('C'),
      user('Svc', { sAMAccountName: 'krbtgt' }),
      user('Crit', { isCriticalSystemObject: 'TRUE' }),
      user('Trust', { sAMAccountName: 'FABRIKAM$' }),
      dirObject('CN=X\\0ACNF:1,OU=Staff,DC=contoso,DC=com', { objectClass: 'user' }),
      dirObject('CN=PC,OU=Staff,DC=contoso,DC=com', { objectClass: ['user', 'computer'] }),
      dirObject('OU=Staff,DC=contoso,DC=com', { objectClass: 'organizationalUnit' }),
      dirObject('DC=contoso,DC=com', { objectClass: ['domain', 'domainDNS'] }),
    ])
    expect(r.summary).toEqual({ objects: 7, skipped: 4, findings: 1, byCode: { conflict: 1 } })
  })

  it('counts findings and each code of every finding', () => {
    const r = scan([
      user('A', { userPrincipalName: 'a b@contoso.local', mail: 'a@contoso.com' }),
      user('B', { sAMAccountName: 'b' }),
      contact('C', { mail: 'a@contoso.com' }),
    ])
    expect(r.findings.map((f) => f.codes)).toEqual([
      ['character', 'topleveldomain', 'mismatch'],
      ['duplicate'],
      ['blank'],
      ['duplicate'],
    ])
    expect(r.summary).toEqual({
      objects: 3,
      skipped: 0,
      findings: 4,
      byCode: { character: 1, topleveldomain: 1, mismatch: 1, duplicate: 2, blank: 1 },
    })
  })

  it('gives the same result streamed through a Scanner', () => {
    const objects = [user('A', { mail: 'a@contoso.com' }), contact('B', { mail: 'a@contoso.com' })]
    const s = new Scanner({ set: 'entra', suffixMap: new Map() })
    for (const o of objects) s.add(o)
    expect(s.finish()).toEqual(scan(objects))
  })
})

describe('finding fields', () => {
  it('names the last objectClass value as stored', () => {
    const r = scan([
      user('A', { objectClass: ['top', 'person', 'organizationalPerson', 'user', 'inetOrgPerson'] }),
      dirObject('CN=B,OU=Staff,DC=contoso,DC=com', { objectclass: ['top', 'Group'] }),
    ])
    expect(r.findings.map((f) => f.objectClass)).toEqual(['inetOrgPerson', 'Group'])
  })

  it('takes the anchor from mS-DS-ConsistencyGuid, else objectGUID, else null', () => {
    const guid = new Uint8Array(16).fill(1)
    const consistency = new Uint8Array(16).fill(2)
    const r = scan([
      user('A', { objectGUID: guid, 'mS-DS-ConsistencyGuid': consistency }),
      user('B', { objectGUID: guid }),
      user('C'),
    ])
    expect(r.findings.map((f) => f.anchor)).toEqual([
      Buffer.from(consistency).toString('base64'),
      Buffer.from(guid).toString('base64'),
      null,
    ])
  })
})

describe('severity', () => {
  it('makes blank on a UPN, mismatch and conflict warnings, and everything else an error', () => {
    expect(severityOf('userPrincipalName', ['blank'])).toBe('warning')
    expect(severityOf('userPrincipalName', ['mismatch'])).toBe('warning')
    expect(severityOf('dn', ['conflict'])).toBe('warning')
    expect(severityOf('displayName', ['blank'])).toBe('error')
    expect(severityOf('userPrincipalName', ['blank', 'duplicate'])).toBe('error')
    expect(severityOf('userPrincipalName', ['character', 'mismatch'])).toBe('error')
    for (const c of [
      'character',
      'length',
      'format',
      'localpart',
      'domainpart',
      'topleveldomain',
      'duplicate',
      'largeobject',
    ] as const) {
      expect(severityOf('mail', [c]), c).toBe('error')
    }
  })
})
