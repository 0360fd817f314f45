// displayName, givenName and sn.
import { describe, expect, it } from 'vitest'
import { dirObject } from '../../../src/core/model.js'
import { contact, dnOf, edit, group, none, on, one, scan, user, verdictOn } from './helpers.js'

const DN = 'displayName'

describe('displayName', () => {
  it('accepts a missing displayName on users and contacts (not IdFix)', () => {
    const r = scan([user('Jane', { userPrincipalName: 'jane@contoso.com' }), contact('Ext')])
    expect(r.findings).toEqual([])
  })

  it('reports a group without displayName as blank and suggests its cn', () => {
    const r = scan([group('Sales', { displayName: [], cn: 'Sales' })])
    expect(one(r, DN)).toEqual({
      dn: dnOf('Sales'),
      objectClass: 'group',
      anchor: null,
      attribute: DN,
      value: null,
      codes: ['blank'],
      severity: 'error',
      suggestion: 'Sales',
      action: 'edit',
      conflictsWith: [],
    })
  })

  it('treats an empty displayName as missing and falls back to the RDN without cn', () => {
    const r = scan([
      dirObject('CN=Sales\\, EMEA,OU=Groups,DC=contoso,DC=com', { objectClass: 'group', displayName: '' }),
    ])
    expect(verdictOn(r, DN)).toEqual(edit(['blank'], 'Sales, EMEA'))
  })

  it('treats groupOfNames and groupOfUniqueNames as groups', () => {
    const r = scan([
      dirObject('cn=staff,ou=groups,dc=example,dc=org', {
        objectClass: ['top', 'groupOfNames'],
        cn: 'staff',
      }),
      dirObject('cn=admins,ou=groups,dc=example,dc=org', {
        objectClass: ['groupOfUniqueNames'],
        cn: 'admins',
      }),
    ])
    expect(on(r, DN).map((f) => f.suggestion)).toEqual(['staff', 'admins'])
  })

  it('trims surrounding whitespace and accepts inner whitespace and other scripts', () => {
    const r = scan([
      contact('A', { displayName: '  Zoë Müller ' }),
      contact('B', { displayName: 'Иван  田中' }),
    ])
    expect(verdictOn(r, DN, dnOf('A'))).toEqual(edit(['character'], 'Zoë Müller'))
    expect(on(r, DN, dnOf('B'))).toEqual([])
  })

  it('truncates a value over 256 characters', () => {
    const r = scan([
      contact('A', { displayName: 'x'.repeat(256) }),
      contact('B', { displayName: 'y'.repeat(300) }),
    ])
    expect(on(r, DN, dnOf('A'))).toEqual([])
    expect(verdictOn(r, DN, dnOf('B'))).toEqual(edit(['length'], 'y'.repeat(256)))
  })

  it('suggests nothing for a whitespace-only value', () => {
    const r = scan([contact('A', { displayName: '   ' })])
    expect(verdictOn(r, DN)).toEqual(none(['character']))
  })
})

describe('givenName and sn', () => {
  it.each(['givenName', 'sn'])('truncates %s over 64 characters and nothing else', (attr) => {
    const r = scan([
      contact('A', { [attr]: 'n'.repeat(64) }),
      contact('B', { [attr]: 'n'.repeat(65) }),
      contact('C', { [attr]: ' Zoë (née Müller) ' }),
    ])
    expect(r.findings.map((f) => [f.dn, f.attribute])).toEqual([[dnOf('B'), attr]])
    expect(verdictOn(r, attr)).toEqual(edit(['length'], 'n'.repeat(64)))
  })
})

describe('lengths in UTF-16 code units', () => {
  it('counts a character outside the BMP as two', () => {
    const r = scan([
      contact('A', { displayName: '😀'.repeat(128) }),
      contact('B', { givenName: '😀'.repeat(33) }),
    ])
    expect(on(r, DN)).toEqual([])
    expect(verdictOn(r, 'givenName')).toEqual(edit(['length'], '😀'.repeat(32)))
  })

  it('never cuts between the two halves of a pair', () => {
    const r = scan([contact('A', { sn: `a${'😀'.repeat(40)}` })])
    expect(verdictOn(r, 'sn')).toEqual(edit(['length'], `a${'😀'.repeat(31)}`))
  })
})
