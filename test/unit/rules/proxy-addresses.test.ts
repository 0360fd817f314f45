// proxyAddresses: smtp:/SMTP: values (address rules), X500:/X400: and other prefixes,
// one finding per failing value, and several SMTP: values on one object.
import { describe, expect, it } from 'vitest'
import type { RuleOptions } from '../../../src/rules/types.js'
import { contact, edit, none, on, scan, user, verdict } from './helpers.js'

const PA = 'proxyAddresses'
const proxies = (values: string[], opts: Partial<RuleOptions> = {}) =>
  on(scan([contact('Ext', { proxyAddresses: values })], opts), PA).map((f) => ({
    value: f.value,
    ...verdict(f),
  }))
const proxy = (value: string, opts: Partial<RuleOptions> = {}) => {
  const fs = proxies([value], opts)
  expect(fs.length).toBeLessThanOrEqual(1)
  if (fs[0] === undefined) return null
  const { value: _v, ...rest } = fs[0]
  return rest
}

describe('proxyAddresses: smtp addresses', () => {
  it.each([
    'SMTP:john@contoso.com',
    'smtp:john+x@contoso.com',
    "smtp:o'brien@contoso.com",
    'smtp:a&b@contoso.com',
  ])('accepts %s', (v) => {
    expect(proxy(v)).toBeNull()
  })

  it.each([...'<>();,[]"'])('deletes %s from the address part', (ch) => {
    expect(proxy(`smtp:jo${ch}hn@contoso.com`)).toEqual(edit(['character'], 'smtp:john@contoso.com'))
  })

  it('flags a further colon as a character problem inside smtp: addresses', () => {
    expect(proxy('smtp:jo:hn@contoso.com')).toEqual(edit(['character'], 'smtp:john@contoso.com'))
  })

  it('deletes whitespace, transliterates diacritics and keeps the prefix as stored', () => {
    expect(proxy('Smtp: jörg miller@contoso.com')).toEqual(edit(['character'], 'Smtp:jorgmiller@contoso.com'))
  })

  it('deletes letters of other scripts', () => {
    expect(proxy('smtp:ivan田中@contoso.com')).toEqual(edit(['character'], 'smtp:ivan@contoso.com'))
  })

  it('applies the address rules to the address part', () => {
    expect(proxy('smtp:john')).toEqual(none(['format']))
    expect(proxy('smtp:frank@contoso@corp.example.com')).toEqual(
      edit(['localpart'], 'smtp:frankcontoso@corp.example.com'),
    )
    expect(proxy('smtp:john@con_toso.com')).toEqual(none(['domainpart']))
    expect(proxy('smtp:john@contoso.local')).toEqual(none(['topleveldomain']))
  })

  it('maps a non-routable domain with the suffix map', () => {
    const suffixMap = new Map([['contoso.local', 'contoso.com']])
    expect(proxy('SMTP:john@contoso.local', { suffixMap })).toEqual(
      edit(['topleveldomain'], 'SMTP:john@contoso.com'),
    )
  })

  it('counts the prefix in the 256 characters and cuts only the local part', () => {
    const domain = '@contoso.com'
    const fits = `smtp:${'a'.repeat(256 - 5 - domain.length)}${domain}`
    expect(fits).toHaveLength(256)
    expect(proxy(fits)).toBeNull()
    expect(proxy(`smtp:${'a'.repeat(300)}${domain}`)).toEqual(edit(['length'], fits))
  })

  it('gives one finding per failing value, with the value as stored', () => {
    const fs = proxies(['smtp:a b@contoso.com', 'SMTP:ok@contoso.com', 'smtp:c@contoso.local', ''])
    expect(fs.map((f) => [f.value, f.codes])).toEqual([
      ['smtp:a b@contoso.com', ['character']],
      ['smtp:c@contoso.local', ['topleveldomain']],
    ])
  })
})

describe('proxyAddresses: several SMTP: values', () => {
  it('reports format on each SMTP: value with no suggestion', () => {
    const fs = proxies(['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'SMTP:c@contoso.com'])
    expect(fs).toEqual([
      { value: 'SMTP:a@contoso.com', ...none(['format']) },
      { value: 'SMTP:c@contoso.com', ...none(['format']) },
    ])
  })

  it('keeps the other codes of such a value but never suggests a fix', () => {
    const fs = proxies(['SMTP:a b@contoso.com', 'SMTP:c@contoso.com'])
    expect(fs).toEqual([
      { value: 'SMTP:a b@contoso.com', ...none(['character', 'format']) },
      { value: 'SMTP:c@contoso.com', ...none(['format']) },
    ])
  })

  it('does not count smtp: or Smtp: values as primary', () => {
    expect(proxies(['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'Smtp:c@contoso.com'])).toEqual([])
  })
})

describe('proxyAddresses: X500 and X400', () => {
  it('allows spaces, parentheses and apostrophes', () => {
    expect(proxy("X500:/o=Contoso (HQ)/ou=Exchange Administrative Group/cn=Recipients/cn=O'Brien")).toBeNull()
    expect(proxy('X400:c=US;a= ;p=Contoso;o=Exchange;s=Doe;g=John;')).toBeNull()
    expect(proxy('x500:/o=Contoso/cn=a:b')).toBeNull()
  })

  it.each(['[', ']', '"', '\t', '\u0001'])('deletes %j', (ch) => {
    expect(proxy(`X500:/o=Contoso/cn=jo${ch}hn`)).toEqual(edit(['character'], 'X500:/o=Contoso/cn=john'))
  })

  it('applies no address rules', () => {
    expect(proxy('X500:/o=Contoso/cn=no-at-sign')).toBeNull()
  })
})

describe('proxyAddresses: other prefixes', () => {
  it('allows a semicolon and a further colon, and applies no address rules', () => {
    expect(proxy('EUM:1234;phone-context=contoso.com')).toBeNull()
    expect(proxy('SIP:john@contoso.local')).toBeNull()
    expect(proxy('sip:john:5060@contoso.com')).toBeNull()
  })

  it.each([' ', '<', '>', '(', ')', ',', '[', ']', '"'])('deletes %j', (ch) => {
    expect(proxy(`SIP:jo${ch}hn@contoso.com`)).toEqual(edit(['character'], 'SIP:john@contoso.com'))
  })

  it('accepts non-ASCII outside smtp: addresses', () => {
    expect(proxy('SIP:josé@contoso.com')).toBeNull()
    expect(proxy('X500:/o=Contoso/cn=Jörg Müller')).toBeNull()
  })

  it('treats a value without a colon like an other prefix', () => {
    expect(proxy('john doe')).toEqual(edit(['character'], 'johndoe'))
    expect(proxy('johndoe')).toBeNull()
  })

  it('reports a value over 256 characters without a suggestion', () => {
    expect(proxy(`SIP:${'a'.repeat(253)}`)).toEqual(none(['length']))
    expect(proxy(`X500:${'a'.repeat(252)}`)).toEqual(none(['length']))
    expect(proxy(`SIP:${'a'.repeat(252)}`)).toBeNull()
  })

  it('does not compare other prefixes across objects', () => {
    const r = scan([
      user('A', {
        userPrincipalName: 'a@contoso.com',
        proxyAddresses: ['SIP:x@contoso.com', 'X500:/o=C/cn=x'],
      }),
      user('B', {
        userPrincipalName: 'b@contoso.com',
        proxyAddresses: ['sip:X@contoso.com', 'X500:/o=C/cn=x'],
      }),
    ])
    expect(r.findings).toEqual([])
  })
})
