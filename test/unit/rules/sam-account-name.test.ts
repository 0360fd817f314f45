// sAMAccountName: the UPN gate for users, length (users 20, groups 256), character, and
// uniqueness within the domain (the DC= part of the DN).
import { describe, expect, it } from 'vitest'
import { contact, dnOf, edit, group, none, on, scan, user, verdictOn } from './helpers.js'

const SAM = 'sAMAccountName'
const EMEA = 'OU=Staff,DC=emea,DC=contoso,DC=com'

describe('sAMAccountName: the UPN gate', () => {
  const bad = 'j*doe'

  it('ignores the sAMAccountName of a user with a valid UPN', () => {
    const r = scan([user('A', { userPrincipalName: 'jdoe@contoso.com', sAMAccountName: bad })])
    expect(r.findings).toEqual([])
  })

  it('checks it when the UPN is missing', () => {
    const r = scan([user('A', { sAMAccountName: bad })])
    expect(verdictOn(r, SAM)).toEqual(edit(['character'], 'jdoe'))
  })

  it('checks it when the UPN has an error finding', () => {
    const r = scan([user('A', { userPrincipalName: 'jdoe@contoso.local', sAMAccountName: bad })])
    expect(verdictOn(r, SAM)).toEqual(edit(['character'], 'jdoe'))
  })

  it('does not check it when the UPN has only a mismatch warning', () => {
    const r = scan([
      user('A', { userPrincipalName: 'jdoe@contoso.com', mail: 'john@contoso.com', sAMAccountName: bad }),
    ])
    expect(on(r, SAM)).toEqual([])
  })

  it('checks it when the UPN is a duplicate', () => {
    const r = scan([
      user('A', { userPrincipalName: 'jdoe@contoso.com', sAMAccountName: bad }),
      contact('B', { mail: 'jdoe@contoso.com' }),
    ])
    expect(verdictOn(r, SAM)).toEqual(edit(['character'], 'jdoe'))
  })

  it('always checks groups, and never contacts', () => {
    const r = scan([group('G', { sAMAccountName: 'sa*les' }), contact('C', { sAMAccountName: 'x*y' })])
    expect(r.findings.map((f) => [f.dn, f.attribute])).toEqual([[dnOf('G'), SAM]])
    expect(verdictOn(r, SAM)).toEqual(edit(['character'], 'sales'))
  })
})

describe('sAMAccountName: values', () => {
  it.each([...'[]\\"|,/:<>+=;?*\''])('deletes %s', (ch) => {
    const r = scan([user('A', { sAMAccountName: `jd${ch}oe` })])
    expect(verdictOn(r, SAM)).toEqual(edit(['character'], 'jdoe'))
  })

  it('allows what the list does not name: spaces, dots, non-ASCII', () => {
    const r = scan([user('A', { sAMAccountName: 'jörg m.x' })])
    expect(on(r, SAM)).toEqual([])
  })

  it('truncates a user name over 20 characters', () => {
    const ok = scan([user('A', { sAMAccountName: 'u'.repeat(20) })])
    expect(on(ok, SAM)).toEqual([])
    const r = scan([user('A', { sAMAccountName: 'u'.repeat(21) })])
    expect(verdictOn(r, SAM)).toEqual(edit(['length'], 'u'.repeat(20)))
  })

  it('allows groups up to 256 characters', () => {
    const r = scan([
      group('A', { sAMAccountName: 'g'.repeat(256) }),
      group('B', { sAMAccountName: 'h'.repeat(257) }),
    ])
    expect(on(r, SAM, dnOf('A'))).toEqual([])
    expect(verdictOn(r, SAM, dnOf('B'))).toEqual(edit(['length'], 'h'.repeat(256)))
  })
})

describe('sAMAccountName: uniqueness per domain', () => {
  it('flags checked holders in the same domain, case-insensitively', () => {
    const r = scan([user('A', { sAMAccountName: 'jdoe' }), user('B', { sAMAccountName: 'JDoe' })])
    expect(verdictOn(r, SAM, dnOf('A'))).toEqual(none(['duplicate'], 'error', [dnOf('B')]))
    expect(verdictOn(r, SAM, dnOf('B'))).toEqual(none(['duplicate'], 'error', [dnOf('A')]))
  })

  it('allows the same name in another domain', () => {
    const r = scan([user('A', { sAMAccountName: 'jdoe' }), user('B', { sAMAccountName: 'jdoe' }, EMEA)])
    expect(on(r, SAM)).toEqual([])
  })

  it('indexes unchecked names but flags only the checked ones', () => {
    const r = scan([
      user('A', { userPrincipalName: 'jdoe@contoso.com', sAMAccountName: 'jdoe' }),
      user('B', { sAMAccountName: 'jdoe' }),
    ])
    expect(on(r, SAM, dnOf('A'))).toEqual([])
    expect(verdictOn(r, SAM, dnOf('B'))).toEqual(none(['duplicate'], 'error', [dnOf('A')]))
  })

  it('compares users and groups of one domain', () => {
    const r = scan([group('G', { sAMAccountName: 'sales' }), user('U', { sAMAccountName: 'Sales' })])
    expect(verdictOn(r, SAM, dnOf('G'))).toEqual(none(['duplicate'], 'error', [dnOf('U')]))
  })

  it('leaves skipped objects out of the index', () => {
    const r = scan([
      user('A', { sAMAccountName: 'jdoe', isCriticalSystemObject: 'TRUE' }),
      user('B', { sAMAccountName: 'jdoe' }),
    ])
    expect(on(r, SAM)).toEqual([])
  })

  it('drops the suggestion of a duplicate with a character problem', () => {
    const r = scan([user('A', { sAMAccountName: 'j*doe' }), user('B', { sAMAccountName: 'J*Doe' })])
    expect(verdictOn(r, SAM, dnOf('A'))).toEqual(none(['character', 'duplicate'], 'error', [dnOf('B')]))
  })
})
