// The `google` rule set (docs/rules-google.md): primary email, names, group email and
// name, aliases; same finding shapes, scope and skip rules as `entra`.
import { describe, expect, it } from 'vitest'
import type { RuleOptions, ScanResult } from '../../../src/rules/types.js'
import {
  contact,
  dnOf,
  edit,
  group,
  none,
  on,
  scan as scanEntra,
  user,
  verdict,
  verdictOn,
} from './helpers.js'

const scan = (objects: Parameters<typeof scanEntra>[0], opts: Partial<RuleOptions> = {}): ScanResult =>
  scanEntra(objects, { set: 'google', ...opts })
const named = { givenName: 'Jane', sn: 'Doe' }
const [A, B] = [dnOf('A'), dnOf('B')]

describe('google: primary email of users', () => {
  it('takes mail, and accepts a valid routable address', () => {
    const r = scan([user('A', { ...named, mail: "jane.o'doe@contoso.com", userPrincipalName: 'bad upn' })])
    expect(r.findings).toEqual([])
  })

  it('falls back to the UPN when mail is missing', () => {
    const r = scan([user('A', { ...named, userPrincipalName: 'jane doe@contoso.com' })])
    expect(verdictOn(r, 'userPrincipalName')).toEqual(edit(['character'], 'janedoe@contoso.com'))
  })

  it('reports a user without mail and UPN as blank, suggesting sAMAccountName@defaultSuffix', () => {
    const r = scan([user('A', { ...named, sAMAccountName: 'jdoe' })], { defaultSuffix: 'contoso.com' })
    expect(on(r, 'mail')[0]?.value).toBeNull()
    expect(verdictOn(r, 'mail')).toEqual(edit(['blank'], 'jdoe@contoso.com'))
    const without = scan([user('A', { ...named, sAMAccountName: 'jdoe' })])
    expect(verdictOn(without, 'mail')).toEqual(none(['blank']))
  })

  it('does not suggest a reserved username for a missing email', () => {
    const r = scan([user('A', { ...named, sAMAccountName: 'postmaster' })], { defaultSuffix: 'contoso.com' })
    expect(verdictOn(r, 'mail')).toEqual(none(['blank']))
  })

  it.each([...'+&=,!<>%'])('rejects %s, which Google usernames do not allow', (ch) => {
    const r = scan([user('A', { ...named, mail: `jane${ch}doe@contoso.com` })])
    expect(verdictOn(r, 'mail')).toEqual(edit(['character'], 'janedoe@contoso.com'))
  })

  it('transliterates diacritics and deletes other scripts', () => {
    const r = scan([user('A', { ...named, mail: 'jörg田中@contoso.com' })])
    expect(verdictOn(r, 'mail')).toEqual(edit(['character'], 'jorg@contoso.com'))
  })

  it('allows 64 characters before the @ and cuts a longer local part', () => {
    const ok = scan([user('A', { ...named, mail: `${'a'.repeat(64)}@contoso.com` })])
    expect(ok.findings).toEqual([])
    const r = scan([user('A', { ...named, mail: `${'a'.repeat(65)}@contoso.com` })])
    expect(verdictOn(r, 'mail')).toEqual(edit(['length'], `${'a'.repeat(64)}@contoso.com`))
  })

  it('applies the address checks and the suffix map', () => {
    const r = scan([user('A', { ...named, mail: 'jane..doe@contoso.local' })], {
      suffixMap: new Map([['contoso.local', 'contoso.com']]),
    })
    expect(verdictOn(r, 'mail')).toEqual(edit(['localpart', 'topleveldomain'], 'jane.doe@contoso.com'))
  })

  it.each(['postmaster', 'Abuse'])('rejects the reserved username %s without a suggestion', (name) => {
    const r = scan([user('A', { ...named, mail: `${name}@contoso.com` })])
    expect(verdictOn(r, 'mail')).toEqual(none(['localpart']))
  })

  it('does not suggest a fix that turns into a reserved username', () => {
    const r = scan([user('A', { ...named, mail: 'post master@contoso.com' })])
    expect(verdictOn(r, 'mail')).toEqual(none(['character']))
  })

  it('has no mismatch rule', () => {
    const r = scan([user('A', { ...named, mail: 'jane@contoso.com', userPrincipalName: 'jdoe@contoso.com' })])
    expect(r.findings).toEqual([])
  })
})

describe('google: names', () => {
  it('reports missing givenName and sn as blank errors, split from "Last, First"', () => {
    const r = scan([user('A', { mail: 'jane@contoso.com', displayName: 'Doe, Jane' })])
    expect(r.findings.map((f) => [f.attribute, f.value, verdict(f)])).toEqual([
      ['givenName', null, edit(['blank'], 'Jane')],
      ['sn', null, edit(['blank'], 'Doe')],
    ])
  })

  it('splits "First Family Name" at the first space, and falls back to cn', () => {
    const r = scan([user('A', { mail: 'jane@contoso.com', displayName: 'Jane van der Doe' })])
    expect(on(r, 'sn')[0]?.suggestion).toBe('van der Doe')
    const fromCn = scan([user('Jane Doe', { mail: 'jane@contoso.com', cn: 'Jane Doe', givenName: 'Jane' })])
    expect(verdictOn(fromCn, 'sn')).toEqual(edit(['blank'], 'Doe'))
  })

  it('suggests no family name from a single word', () => {
    const r = scan([user('Reception', { mail: 'reception@contoso.com', givenName: 'Reception' })])
    expect(verdictOn(r, 'sn')).toEqual(none(['blank']))
  })

  it('allows 60 characters and truncates longer names', () => {
    const r = scan([user('A', { mail: 'a@contoso.com', givenName: 'g'.repeat(60), sn: 's'.repeat(61) })])
    expect(r.findings.map((f) => [f.attribute, verdict(f)])).toEqual([
      ['sn', edit(['length'], 's'.repeat(60))],
    ])
  })

  it('rejects angle brackets and surrounding whitespace, and accepts Unicode, = and apostrophes', () => {
    const r = scan([
      user('A', { mail: 'a@contoso.com', givenName: ' Zoë <Z> ', sn: "O'Brien-Иванова = 田中" }),
    ])
    expect(r.findings.map((f) => [f.attribute, verdict(f)])).toEqual([
      ['givenName', edit(['character'], 'Zoë Z')],
    ])
  })

  it('does not check names of groups or contacts', () => {
    const r = scan([group('G', { mail: 'g@contoso.com' }), contact('C', { mail: 'c@fabrikam.com' })])
    expect(r.findings).toEqual([])
  })
})

describe('google: groups', () => {
  it('requires a group email', () => {
    const r = scan([group('G', { sAMAccountName: 'sales' })], { defaultSuffix: 'contoso.com' })
    expect(verdictOn(r, 'mail')).toEqual(edit(['blank'], 'sales@contoso.com'))
  })

  it('checks the group email like a username but allows reserved words', () => {
    const r = scan([
      group('G', { mail: 'sales+eu@contoso.com' }),
      group('P', { mail: 'postmaster@contoso.com' }),
    ])
    expect(r.findings.map((f) => [f.dn, verdict(f)])).toEqual([
      [dnOf('G'), edit(['character'], 'saleseu@contoso.com')],
    ])
  })

  it('allows group names of 73 characters without angle brackets', () => {
    const r = scan([
      group('A', { mail: 'a@contoso.com', displayName: 'n'.repeat(73) }),
      group('B', { mail: 'b@contoso.com', displayName: 'n'.repeat(74) }),
      group('C', { mail: 'c@contoso.com', displayName: 'R&D <EMEA>' }),
    ])
    expect(r.findings.map((f) => [f.dn, f.attribute, verdict(f)])).toEqual([
      [B, 'displayName', edit(['length'], 'n'.repeat(73))],
      [dnOf('C'), 'displayName', edit(['character'], 'R&D EMEA')],
    ])
  })
})

describe('google: aliases', () => {
  it('checks secondary smtp: values with the username rules and keeps the prefix', () => {
    const r = scan([
      user('A', {
        ...named,
        mail: 'jane@contoso.com',
        proxyAddresses: [
          'SMTP:jane+x@contoso.com',
          'smtp:jane+news@contoso.com',
          'X500:/o=C/cn=x y',
          'sip:a b',
        ],
      }),
    ])
    expect(r.findings.map((f) => [f.value, verdict(f)])).toEqual([
      ['smtp:jane+news@contoso.com', edit(['character'], 'smtp:janenews@contoso.com')],
    ])
  })

  it('rejects abuse@ and postmaster@ as user aliases, and all reserved words as group aliases', () => {
    const r = scan([
      user('A', {
        ...named,
        mail: 'a@contoso.com',
        proxyAddresses: ['smtp:abuse@contoso.com', 'smtp:webmaster@contoso.com'],
      }),
      group('B', {
        mail: 'b@contoso.com',
        proxyAddresses: ['smtp:webmaster@contoso.com', 'smtp:ssl-admin@contoso.com'],
      }),
    ])
    expect(r.findings.map((f) => [f.dn, f.value, f.codes])).toEqual([
      [A, 'smtp:abuse@contoso.com', ['localpart']],
      [A, 'smtp:webmaster@contoso.com', ['duplicate']],
      [B, 'smtp:webmaster@contoso.com', ['localpart', 'duplicate']],
      [B, 'smtp:ssl-admin@contoso.com', ['localpart']],
    ])
  })

  it('allows 30 aliases and reports more as largeobject with the count', () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `smtp:a${i}@contoso.com`)
    const ok = scan([user('A', { ...named, mail: 'a@contoso.com', proxyAddresses: aliases(30) })])
    expect(ok.findings).toEqual([])
    const r = scan([
      group('B', { mail: 'b@contoso.com', proxyAddresses: ['SMTP:b@contoso.com', ...aliases(31)] }),
    ])
    expect(r.findings.map((f) => [f.attribute, f.value, verdict(f)])).toEqual([
      ['proxyAddresses', 31, none(['largeobject'])],
    ])
  })
})

describe('google: uniqueness', () => {
  it('flags a primary email held by two objects on both', () => {
    const r = scan([user('A', { ...named, mail: 'x@contoso.com' }), group('B', { mail: 'X@contoso.com' })])
    expect(r.findings.map(verdict)).toEqual([
      none(['duplicate'], 'error', [B]),
      none(['duplicate'], 'error', [A]),
    ])
  })

  it('removes aliases that are another object primary email', () => {
    const r = scan([
      user('A', { ...named, mail: 'x@contoso.com' }),
      user('B', { ...named, mail: 'b@contoso.com', proxyAddresses: ['smtp:x@contoso.com'] }),
    ])
    expect(r.findings.map((f) => [f.dn, f.attribute, f.action])).toEqual([
      [A, 'mail', 'none'],
      [B, 'proxyAddresses', 'remove'],
    ])
  })

  it('uses the UPN only when it is the primary email', () => {
    const r = scan([
      user('A', { ...named, mail: 'a@contoso.com', userPrincipalName: 'x@contoso.com' }),
      user('B', { ...named, mail: 'x@contoso.com' }),
    ])
    expect(r.findings).toEqual([])
  })

  it('checks contact addresses as plain addresses, outside the namespace', () => {
    const r = scan([
      user('A', { ...named, mail: 'x@contoso.com' }),
      contact('B', { mail: 'x@contoso.com' }),
      contact('C', { mail: 'partner+news@fabrikam.com' }),
      contact('D', { mail: 'partner@fabrikam.local' }),
    ])
    expect(r.findings.map((f) => [f.dn, verdict(f)])).toEqual([[dnOf('D'), none(['topleveldomain'])]])
  })
})

describe('google: scope and skips', () => {
  it('skips and counts the same objects as entra', () => {
    const r = scan([
      user('Svc', { sAMAccountName: 'MSOL_1' }),
      user('X\\0ACNF:1', {}),
      user('A', { ...named, mail: 'a@contoso.com' }),
    ])
    expect(r.summary).toEqual({ objects: 3, skipped: 2, findings: 1, byCode: { conflict: 1 } })
  })
})
