// userPrincipalName (users): blank, length, character, the address checks, the suggestion
// pipeline and the mismatch with the primary SMTP address.
import { describe, expect, it } from 'vitest'
import { dirObject } from '../../../src/core/model.js'
import type { RuleOptions } from '../../../src/rules/types.js'
import { checkUser, contact, dnOf, edit, group, none, on, one, scan, user, verdictOn } from './helpers.js'

const UPN = 'userPrincipalName'
const upn = (value: string, opts: Partial<RuleOptions> = {}) =>
  checkUser({ userPrincipalName: value }, UPN, opts)
const local = (n: number, ch = 'a') => ch.repeat(n)

describe('userPrincipalName: valid values', () => {
  it.each([
    'frank@contoso.com',
    'Frank.Miller@Contoso.COM',
    "o'brien@contoso.com",
    'f_miller-2@sub.contoso.co.uk',
    'frank!#$^`~@contoso.com',
    'frank@xn--mnchen-3ya.de',
  ])('accepts %s', (v) => {
    expect(upn(v)).toBeNull()
  })

  it('keeps the apostrophe in a UPN (not IdFix)', () => {
    expect(upn("o'brien@contoso.com")).toBeNull()
    expect(upn("o'br ien@contoso.com")).toEqual(edit(['character'], "o'brien@contoso.com"))
  })

  it('accepts a local part of 64 and a domain of 48 characters', () => {
    const domain = `${local(44, 'd')}.com`
    expect(domain).toHaveLength(48)
    expect(upn(`${local(64)}@${domain}`)).toBeNull()
  })
})

describe('userPrincipalName: blank', () => {
  it('reports a missing UPN as a blank warning with value null and no suggestion', () => {
    const r = scan([user('Jane Doe', { sAMAccountName: 'jdoe' })])
    expect(one(r, UPN)).toEqual({
      dn: dnOf('Jane Doe'),
      objectClass: 'user',
      anchor: null,
      attribute: UPN,
      value: null,
      codes: ['blank'],
      severity: 'warning',
      suggestion: null,
      action: 'none',
      conflictsWith: [],
    })
  })

  it('treats an empty UPN as missing', () => {
    const r = scan([user('Jane Doe', { userPrincipalName: '', sAMAccountName: 'jdoe' })])
    expect(one(r, UPN).value).toBeNull()
    expect(one(r, UPN).codes).toEqual(['blank'])
  })

  it('suggests sAMAccountName@defaultSuffix, keeping the sAMAccountName as stored', () => {
    const r = scan([user('Jane Doe', { sAMAccountName: 'JDoe' })], { defaultSuffix: 'contoso.com' })
    expect(verdictOn(r, UPN)).toEqual(edit(['blank'], 'JDoe@contoso.com', 'warning'))
  })

  it('suggests nothing when the default-suffix candidate breaks a UPN rule', () => {
    const withSpace = scan([user('Jane Doe', { sAMAccountName: 'j doe' })], { defaultSuffix: 'contoso.com' })
    expect(verdictOn(withSpace, UPN)).toEqual(none(['blank'], 'warning'))
    const nonRoutable = scan([user('Jane Doe', { sAMAccountName: 'jdoe' })], {
      defaultSuffix: 'contoso.local',
    })
    expect(verdictOn(nonRoutable, UPN)).toEqual(none(['blank'], 'warning'))
  })

  it('suggests nothing for a missing UPN without sAMAccountName', () => {
    const r = scan([user('Jane Doe')], { defaultSuffix: 'contoso.com' })
    expect(verdictOn(r, UPN)).toEqual(none(['blank'], 'warning'))
  })

  it('does not use the default suffix for a UPN that is present but invalid', () => {
    expect(upn('jdoe@contoso.local', { defaultSuffix: 'contoso.com' })).toEqual(none(['topleveldomain']))
  })

  it('checks the UPN of users only, not of contacts or groups', () => {
    const r = scan([
      contact('Ext', { userPrincipalName: 'bad value' }),
      group('Grp', { userPrincipalName: 'bad value' }),
      contact('No Upn'),
    ])
    expect(on(r, UPN)).toEqual([])
  })

  it('reports inetOrgPerson and OpenLDAP person entries as users', () => {
    const r = scan([
      dirObject('uid=a,ou=people,dc=example,dc=org', { objectClass: ['top', 'person', 'inetOrgPerson'] }),
      dirObject('uid=b,ou=people,dc=example,dc=org', { objectClass: ['person'] }),
    ])
    expect(on(r, UPN).map((f) => f.objectClass)).toEqual(['inetOrgPerson', 'person'])
  })
})

describe('userPrincipalName: character', () => {
  it.each([...'\\%&*+/=?{}|<>();:,[]"'])('deletes %s', (ch) => {
    expect(upn(`fr${ch}ank@contoso.com`)).toEqual(edit(['character'], 'frank@contoso.com'))
  })

  it('deletes whitespace inside and trims it around the value', () => {
    expect(upn('frank miller@contoso.com')).toEqual(edit(['character'], 'frankmiller@contoso.com'))
    expect(upn(' frank@contoso.com\t')).toEqual(edit(['character'], 'frank@contoso.com'))
    expect(upn('frank\u00a0miller@contoso.com')).toEqual(edit(['character'], 'frankmiller@contoso.com'))
  })

  it.each([
    ['josé', 'jose'],
    ['müller', 'muller'],
    ['strauß', 'strauss'],
    ['ærø', 'aero'],
    ['søren', 'soren'],
    ['åsa', 'asa'],
    ['łukasz', 'lukasz'],
    ['ŁUKASZ.ÉMILE', 'LUKASZ.EMILE'],
  ])('transliterates %s to %s instead of deleting the letters (not IdFix)', (from, to) => {
    expect(upn(`${from}@contoso.com`)).toEqual(edit(['character'], `${to}@contoso.com`))
  })

  it('deletes Cyrillic and CJK letters instead of transliterating them', () => {
    // the address checks run on the fixed value: `.ivan` starts with a dot
    expect(upn('петров.ivan@contoso.com')).toEqual(edit(['character', 'localpart'], 'ivan@contoso.com'))
    expect(upn('tanaka田中@contoso.com')).toEqual(edit(['character'], 'tanaka@contoso.com'))
  })

  it('reports character and format and suggests nothing when only foreign letters remain', () => {
    expect(upn('иван@contoso.com')).toEqual(none(['character', 'format']))
  })

  it('gives character alone when the fixed value passes the address checks', () => {
    // `&` at the end would be a localpart problem, but it is a UPN character and goes first
    expect(upn('frank&@contoso.com')).toEqual(edit(['character'], 'frank@contoso.com'))
  })

  it('never edits the domain: a character problem there leaves no suggestion', () => {
    expect(upn('frank@münchen.de')).toEqual(none(['character']))
    expect(upn('frank@contoso .com')).toEqual(none(['character']))
  })
})

describe('userPrincipalName: length', () => {
  it('cuts a local part over 64 characters and keeps the domain', () => {
    expect(upn(`${local(70)}@contoso.com`)).toEqual(edit(['length'], `${local(64)}@contoso.com`))
  })

  it('never truncates into the domain (not IdFix: no …@contoso.co)', () => {
    const v = `${local(60)}.${local(40, 'b')}@contoso.com`
    const r = upn(v)
    expect(r?.codes).toEqual(['length'])
    expect(r?.suggestion).toBe(`${local(60)}.bbb@contoso.com`)
    expect(r?.suggestion?.endsWith('@contoso.com')).toBe(true)
  })

  it('suggests nothing for a domain over 48 characters', () => {
    const domain = `${local(45, 'd')}.com`
    expect(domain).toHaveLength(49)
    expect(upn(`frank@${domain}`)).toEqual(none(['length']))
  })

  it('suggests nothing when the cut leaves the local part ending in a dot', () => {
    expect(upn(`${local(63)}.bbbb@contoso.com`)).toEqual(none(['length']))
  })

  it('judges length on the original value and fixes characters before cutting', () => {
    expect(upn(`${local(63)} b@contoso.com`)).toEqual(
      edit(['character', 'length'], `${local(63)}b@contoso.com`),
    )
  })
})

describe('userPrincipalName: address checks', () => {
  it.each(['frank', 'frank@', '@contoso.com', 'frank.contoso.com'])('reports %s as format only', (v) => {
    expect(upn(v)).toEqual(none(['format']))
  })

  it('treats a leading @ as format even when another @ follows', () => {
    expect(upn('@frank@contoso.com')).toEqual(edit(['format'], 'frank@contoso.com'))
  })

  it('reports more than one @ as localpart and keeps the text between them', () => {
    expect(upn('frank@contoso@corp.example.com')).toEqual(
      edit(['localpart'], 'frankcontoso@corp.example.com'),
    )
  })

  it('deletes the extra @ before collapsing dots', () => {
    expect(upn('frank.@.miller@contoso.com')).toEqual(edit(['localpart'], 'frank.miller@contoso.com'))
  })

  it.each([
    ['.frank@contoso.com', 'frank@contoso.com'],
    ['frank.@contoso.com', 'frank@contoso.com'],
    ['frank..miller@contoso.com', 'frank.miller@contoso.com'],
    ['..frank...miller..@contoso.com', 'frank.miller@contoso.com'],
  ])('reports the dots of %s as localpart and fixes them', (v, fixed) => {
    expect(upn(v)).toEqual(edit(['localpart'], fixed))
  })

  it.each([
    ['frank@contoso', ['domainpart', 'topleveldomain']],
    ['frank@com', ['domainpart']],
    ['frank@contoso..com', ['domainpart']],
    ['frank@contoso.com.', ['domainpart']],
    ['frank@.contoso.local', ['domainpart']],
    ['frank@-contoso.com', ['domainpart']],
    ['frank@contoso-.com', ['domainpart']],
    ['frank@con_toso.com', ['domainpart']],
  ] as const)('reports %s as %j and suggests nothing', (v, codes) => {
    expect(upn(v)).toEqual(none([...codes]))
  })

  it.each([
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
  ])('reports the non-routable .%s as topleveldomain', (tld) => {
    expect(upn(`frank@contoso.${tld}`)).toEqual(none(['topleveldomain']))
  })

  it('reports every failing check of one value', () => {
    expect(upn('frank@contoso@con_toso.local')).toEqual(none(['localpart', 'domainpart', 'topleveldomain']))
  })
})

describe('userPrincipalName: suffix map', () => {
  const suffixMap = new Map([['contoso.local', 'contoso.com']])

  it('maps a non-routable domain that equals a key', () => {
    expect(upn('frank@contoso.local', { suffixMap })).toEqual(edit(['topleveldomain'], 'frank@contoso.com'))
  })

  it('compares the domain and the keys case-insensitively', () => {
    expect(upn('frank@Contoso.LOCAL', { suffixMap })).toEqual(edit(['topleveldomain'], 'frank@contoso.com'))
    const upper = new Map([['CONTOSO.Local', 'contoso.com']])
    expect(upn('frank@contoso.local', { suffixMap: upper })).toEqual(
      edit(['topleveldomain'], 'frank@contoso.com'),
    )
  })

  it('matches the whole domain only: emea.corp.local does not match corp.local', () => {
    const map = new Map([['corp.local', 'corp.example.com']])
    expect(upn('frank@emea.corp.local', { suffixMap: map })).toEqual(none(['topleveldomain']))
  })

  it('leaves routable domains alone even when they are a key', () => {
    const map = new Map([['contoso.com', 'fabrikam.com']])
    expect(upn('frank miller@contoso.com', { suffixMap: map })).toEqual(
      edit(['character'], 'frankmiller@contoso.com'),
    )
  })

  it('combines the map with the character and local-part steps', () => {
    expect(upn(' frank miller.@contoso.local', { suffixMap })).toEqual(
      edit(['character', 'localpart', 'topleveldomain'], 'frankmiller@contoso.com'),
    )
  })

  it('suggests nothing when the mapped value is still invalid', () => {
    const map = new Map([['contoso.local', 'contoso.lan']])
    expect(upn('frank@contoso.local', { suffixMap: map })).toEqual(none(['topleveldomain']))
  })
})

describe('userPrincipalName: mismatch with the primary SMTP address', () => {
  it('warns and suggests mail when there is no SMTP: value', () => {
    const v = checkUser({ userPrincipalName: 'jdoe@contoso.com', mail: 'john.doe@contoso.com' }, UPN)
    expect(v).toEqual(edit(['mismatch'], 'john.doe@contoso.com', 'warning'))
  })

  it('takes the first SMTP: value over mail as the primary address', () => {
    const v = checkUser(
      {
        userPrincipalName: 'jdoe@contoso.com',
        mail: 'jdoe@contoso.com',
        proxyAddresses: ['smtp:other@contoso.com', 'SMTP:john.doe@contoso.com'],
      },
      UPN,
    )
    expect(v).toEqual(edit(['mismatch'], 'john.doe@contoso.com', 'warning'))
  })

  it('does not take smtp: or Smtp: values as the primary address', () => {
    const attrs = {
      userPrincipalName: 'jdoe@contoso.com',
      proxyAddresses: ['smtp:a@contoso.com', 'Smtp:b@contoso.com'],
    }
    expect(checkUser(attrs, UPN)).toBeNull()
  })

  it('compares case-insensitively', () => {
    expect(checkUser({ userPrincipalName: 'JDoe@Contoso.com', mail: 'jdoe@CONTOSO.COM' }, UPN)).toBeNull()
  })

  it('does not check a user without a primary address or without a UPN', () => {
    expect(checkUser({ userPrincipalName: 'jdoe@contoso.com' }, UPN)).toBeNull()
    const r = scan([user('Jane', { mail: 'jane@contoso.com' })])
    expect(verdictOn(r, UPN)).toEqual(none(['blank'], 'warning'))
  })

  it('suggests nothing when the primary address is another object UPN', () => {
    const r = scan([
      user('Jane', { userPrincipalName: 'jdoe@contoso.com', mail: 'jane@contoso.com' }),
      user('Other Jane', { userPrincipalName: 'jane@contoso.com' }),
    ])
    expect(verdictOn(r, UPN, dnOf('Jane'))).toEqual(none(['mismatch'], 'warning'))
  })

  it('still suggests a primary address that is only another object mail', () => {
    const r = scan([
      user('Jane', { userPrincipalName: 'jdoe@contoso.com', mail: 'jane@contoso.com' }),
      contact('Jane Ext', { mail: 'jane@contoso.com' }),
    ])
    expect(verdictOn(r, UPN, dnOf('Jane'))).toEqual(edit(['mismatch'], 'jane@contoso.com', 'warning'))
  })

  it('ignores the UPN of a skipped object when judging the primary address', () => {
    const r = scan([
      user('Jane', { userPrincipalName: 'jdoe@contoso.com', mail: 'jane@contoso.com' }),
      user('Svc', { userPrincipalName: 'jane@contoso.com', sAMAccountName: 'MSOL_1234' }),
    ])
    expect(verdictOn(r, UPN, dnOf('Jane'))).toEqual(edit(['mismatch'], 'jane@contoso.com', 'warning'))
  })

  it('suggests nothing for a mismatch alone when the primary address breaks a UPN rule', () => {
    // `+` is fine in mail but a UPN character problem
    const v = checkUser({ userPrincipalName: 'jdoe@contoso.com', mail: 'john+doe@contoso.com' }, UPN)
    expect(v).toEqual(none(['mismatch'], 'warning'))
  })

  it('takes the primary address as the fix for the other codes too, as an error', () => {
    const v = checkUser({ userPrincipalName: 'j doe@contoso.local', mail: 'john.doe@contoso.com' }, UPN)
    expect(v).toEqual(edit(['character', 'topleveldomain', 'mismatch'], 'john.doe@contoso.com'))
  })

  it('falls back to the normal steps when the primary address is unusable', () => {
    const v = checkUser({ userPrincipalName: 'j doe@contoso.com', mail: 'john+doe@contoso.com' }, UPN)
    expect(v).toEqual(edit(['character', 'mismatch'], 'jdoe@contoso.com'))
  })

  it('reports the full finding with dn, objectClass, anchor and value', () => {
    const guid = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])
    const r = scan([
      user('Jane', {
        userPrincipalName: 'jdoe@contoso.com',
        mail: 'jane@contoso.com',
        objectGUID: guid,
      }),
    ])
    expect(r.findings).toEqual([
      {
        dn: dnOf('Jane'),
        objectClass: 'user',
        anchor: Buffer.from(guid).toString('base64'),
        attribute: UPN,
        value: 'jdoe@contoso.com',
        codes: ['mismatch'],
        severity: 'warning',
        suggestion: 'jane@contoso.com',
        action: 'edit',
        conflictsWith: [],
      },
    ])
  })
})
