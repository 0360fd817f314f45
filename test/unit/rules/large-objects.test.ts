// userCertificate, userSMIMECertificate (more than 15 values) and thumbnailPhoto (over
// 100 KB): `largeobject` on the attribute, with the count or byte size as a number.
import { describe, expect, it } from 'vitest'
import { contact, dnOf, group, none, one, scan, user, verdictOn } from './helpers.js'

const certs = (n: number) => Array.from({ length: n }, (_, i) => new Uint8Array([0x30, 0x82, i]))
const upn = { userPrincipalName: 'jdoe@contoso.com' }

describe('certificates', () => {
  it.each(['userCertificate', 'userSMIMECertificate'])('accepts 15 %s values', (attr) => {
    expect(scan([user('A', { ...upn, [attr]: certs(15) })]).findings).toEqual([])
  })

  it.each(['userCertificate', 'userSMIMECertificate'])('reports 16 %s values with the count', (attr) => {
    const r = scan([user('A', { ...upn, [attr]: certs(16) })])
    expect(one(r, attr)).toEqual({
      dn: dnOf('A'),
      objectClass: 'user',
      anchor: null,
      attribute: attr,
      value: 16,
      codes: ['largeobject'],
      severity: 'error',
      suggestion: null,
      action: 'none',
      conflictsWith: [],
    })
  })

  it('reports each attribute on its own', () => {
    const r = scan([contact('A', { userCertificate: certs(20), userSMIMECertificate: certs(17) })])
    expect(r.findings.map((f) => [f.attribute, f.value])).toEqual([
      ['userCertificate', 20],
      ['userSMIMECertificate', 17],
    ])
  })
})

describe('thumbnailPhoto', () => {
  it('accepts 100 KB (102,400 bytes) and reports one byte more with the size', () => {
    const ok = scan([user('A', { ...upn, thumbnailPhoto: new Uint8Array(102_400) })])
    expect(ok.findings).toEqual([])
    const r = scan([group('G', { thumbnailPhoto: new Uint8Array(102_401) })])
    expect(verdictOn(r, 'thumbnailPhoto')).toEqual(none(['largeobject']))
    expect(one(r, 'thumbnailPhoto').value).toBe(102_401)
  })
})
