// mail: length, character (whitespace and non-ASCII only), the address checks and the
// IANA list of top-level domains. Uniqueness is in uniqueness.test.ts.
import { describe, expect, it } from 'vitest'
import { addressCodes, isIanaTld } from '../../../src/rules/address.js'
import type { RuleOptions } from '../../../src/rules/types.js'
import { contact, edit, group, none, scan, verdictOn } from './helpers.js'

const mail = (value: string, opts: Partial<RuleOptions> = {}) => {
  const r = scan([contact('Ext', { mail: value })], opts)
  return r.findings.length === 0 ? null : verdictOn(r, 'mail')
}

describe('mail: valid values', () => {
  it.each([
    'john.doe@contoso.com',
    'john+news@contoso.com',
    'a&b@contoso.com',
    "o'brien@contoso.com",
    '{x}=y?@contoso.com',
    'x@sub.contoso.co.uk',
    'x@contoso.xn--p1ai',
  ])('accepts %s', (v) => {
    expect(mail(v)).toBeNull()
  })

  it('has no limit of its own on the local part, only on the whole value', () => {
    expect(mail(`${'a'.repeat(100)}@contoso.com`)).toBeNull()
  })

  it('checks the mail of users, contacts and groups', () => {
    const r = scan([
      group('Sales', { mail: 'sales@contoso.local' }),
      contact('Ext', { mail: 'ext@contoso.local' }),
    ])
    expect(r.findings.map((f) => [f.objectClass, f.attribute, f.codes])).toEqual([
      ['group', 'mail', ['topleveldomain']],
      ['contact', 'mail', ['topleveldomain']],
    ])
  })
})

describe('mail: length', () => {
  it('accepts 256 characters and cuts the local part of a longer value', () => {
    const domain = '@contoso.com'
    expect(mail(`${'a'.repeat(256 - domain.length)}${domain}`)).toBeNull()
    const long = `${'a'.repeat(260 - domain.length)}${domain}`
    expect(mail(long)).toEqual(edit(['length'], `${'a'.repeat(256 - domain.length)}${domain}`))
  })
})

describe('mail: character', () => {
  it('deletes whitespace and trims the value', () => {
    expect(mail(' john doe@contoso.com ')).toEqual(edit(['character'], 'johndoe@contoso.com'))
  })

  it('transliterates letters with diacritics', () => {
    expect(mail('jörg.strauß@contoso.com')).toEqual(edit(['character'], 'jorg.strauss@contoso.com'))
  })

  it('deletes letters of other scripts', () => {
    expect(mail('ivan田中@contoso.com')).toEqual(edit(['character'], 'ivan@contoso.com'))
    expect(mail('иван@contoso.com')).toEqual(none(['character', 'format']))
  })

  it('leaves characters that only break the address checks, so there is no suggestion', () => {
    expect(mail('fr(ank@contoso.com')).toEqual(none(['localpart']))
    expect(mail('frank&@contoso.com')).toEqual(none(['localpart']))
    expect(mail('frank@con_toso.com')).toEqual(none(['domainpart']))
  })
})

describe('mail: address checks', () => {
  it('reports format and stops there', () => {
    expect(mail('john.doe')).toEqual(none(['format']))
    expect(mail('john.doe@')).toEqual(none(['format']))
    expect(mail('@contoso.local')).toEqual(none(['format']))
  })

  it('reports more than one @ as localpart and joins the parts', () => {
    expect(mail('frank@contoso@corp.example.com')).toEqual(
      edit(['localpart'], 'frankcontoso@corp.example.com'),
    )
  })

  it('reports a non-routable domain and maps it with the suffix map', () => {
    expect(mail('john@contoso.local')).toEqual(none(['topleveldomain']))
    const suffixMap = new Map([['contoso.local', 'contoso.com']])
    expect(mail('john@contoso.local', { suffixMap })).toEqual(edit(['topleveldomain'], 'john@contoso.com'))
  })
})

describe('address checks (address.ts)', () => {
  it('runs format → localpart → domainpart → topleveldomain', () => {
    expect(addressCodes('a')).toEqual(['format'])
    expect(addressCodes('a@b@c')).toEqual(['localpart', 'domainpart', 'topleveldomain'])
    expect(addressCodes('a.@x..y')).toEqual(['localpart', 'domainpart'])
    expect(addressCodes('a@x.y')).toEqual(['topleveldomain'])
    expect(addressCodes('a@x.com')).toEqual([])
  })

  it('accepts a TLD in its Unicode or its ASCII form', () => {
    expect(isIanaTld('рф')).toBe(true)
    expect(isIanaTld('xn--p1ai')).toBe(true)
    expect(isIanaTld('РФ')).toBe(true)
    expect(isIanaTld('COM')).toBe(true)
  })

  it('knows no reserved or private TLD', () => {
    for (const t of [
      'local',
      'lan',
      'internal',
      'corp',
      'home',
      'localdomain',
      'test',
      'example',
      'invalid',
      'localhost',
    ]) {
      expect(isIanaTld(t), t).toBe(false)
    }
  })

  it('only allows a-z, 0-9 and inner hyphens in domain labels', () => {
    expect(addressCodes('a@xn--mnchen-3ya.de')).toEqual([])
    expect(addressCodes('a@münchen.de')).toEqual(['domainpart'])
    expect(addressCodes('a@my host.com')).toEqual(['domainpart'])
  })
})
