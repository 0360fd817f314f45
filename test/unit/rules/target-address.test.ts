// targetAddress: length, character, address rules for smtp: values, and uniqueness among
// targetAddress values (whole value, prefix included, case-insensitive).
import { describe, expect, it } from 'vitest'
import type { RuleOptions } from '../../../src/rules/types.js'
import { contact, dnOf, edit, none, on, scan, verdictOn } from './helpers.js'

const TA = 'targetAddress'
const target = (value: string, opts: Partial<RuleOptions> = {}) => {
  const r = scan([contact('Ext', { targetAddress: value })], opts)
  return on(r, TA).length === 0 ? null : verdictOn(r, TA)
}

describe('targetAddress: values', () => {
  it('accepts a routable SMTP address and non-SMTP values without address rules', () => {
    expect(target('SMTP:john@contoso.mail.onmicrosoft.com')).toBeNull()
    expect(target('smtp:john+x@fabrikam.com')).toBeNull()
    expect(target('X500:/o=Contoso/cn=john')).toBeNull()
  })

  it.each([' ', '\\', '<', '>', '(', ')', ';', ',', '[', ']', '"'])('deletes %j', (ch) => {
    expect(target(`SMTP:jo${ch}hn@fabrikam.com`)).toEqual(edit(['character'], 'SMTP:john@fabrikam.com'))
  })

  it('flags whitespace in non-SMTP values too', () => {
    expect(target('X500:/o=Contoso/cn=john doe')).toEqual(edit(['character'], 'X500:/o=Contoso/cn=johndoe'))
  })

  it('does not treat non-ASCII as a character problem, so no transliteration', () => {
    expect(target('SMTP:josé@fabrikam.com')).toEqual(none(['localpart']))
    expect(target('X500:/o=Contoso/cn=josé')).toBeNull()
  })

  it('applies the address rules to smtp: values only', () => {
    expect(target('SMTP:john')).toEqual(none(['format']))
    expect(target('SMTP:john@contoso.local')).toEqual(none(['topleveldomain']))
    expect(target('SIP:john')).toBeNull()
  })

  it('maps a non-routable domain and keeps the prefix', () => {
    const suffixMap = new Map([['contoso.local', 'contoso.com']])
    expect(target('smtp:john@contoso.local', { suffixMap })).toEqual(
      edit(['topleveldomain'], 'smtp:john@contoso.com'),
    )
  })

  it('reports over 256 characters and cuts the local part of an SMTP value', () => {
    const domain = '@fabrikam.com'
    const fits = `SMTP:${'a'.repeat(256 - 5 - domain.length)}${domain}`
    expect(target(fits)).toBeNull()
    expect(target(`SMTP:${'a'.repeat(260)}${domain}`)).toEqual(edit(['length'], fits))
    expect(target(`X500:${'a'.repeat(252)}`)).toEqual(none(['length']))
  })
})

describe('targetAddress: uniqueness', () => {
  it('compares the whole value case-insensitively and flags every holder', () => {
    const r = scan([
      contact('A', { targetAddress: 'SMTP:john@fabrikam.com' }),
      contact('B', { targetAddress: 'smtp:JOHN@fabrikam.com' }),
    ])
    expect(verdictOn(r, TA, dnOf('A'))).toEqual(none(['duplicate'], 'error', [dnOf('B')]))
    expect(verdictOn(r, TA, dnOf('B'))).toEqual(none(['duplicate'], 'error', [dnOf('A')]))
  })

  it('includes the prefix in the comparison', () => {
    const r = scan([
      contact('A', { targetAddress: 'SMTP:john@fabrikam.com' }),
      contact('B', { targetAddress: 'SIP:john@fabrikam.com' }),
    ])
    expect(r.findings).toEqual([])
  })

  it('keeps targetAddress out of the SMTP namespace', () => {
    const r = scan([
      contact('A', { targetAddress: 'SMTP:john@fabrikam.com' }),
      contact('B', { mail: 'john@fabrikam.com', proxyAddresses: ['SMTP:john@fabrikam.com'] }),
    ])
    expect(r.findings).toEqual([])
  })
})
