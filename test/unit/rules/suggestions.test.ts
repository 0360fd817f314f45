// How a suggestion is built, across attributes: the steps in order, only where a value
// needs them, and validation of the result (null when it still fails or is empty).
import { describe, expect, it } from 'vitest'
import { transliterate } from '../../../src/rules/transliterate.js'
import { MAIL, MAIL_NICKNAME, suggestValue, UPN } from '../../../src/rules/values.js'
import { checkUser, contact, edit, group, none, on, scan, user, verdictOn } from './helpers.js'

const noMap = new Map<string, string>()

describe('transliteration', () => {
  it.each([
    ['é', 'e'],
    ['ü', 'u'],
    ['ß', 'ss'],
    ['æ', 'ae'],
    ['ø', 'o'],
    ['å', 'a'],
    ['ł', 'l'],
    ['ÉÜÆØÅŁ', 'EUAEOAL'],
    ['ñçšžőț', 'ncszot'],
  ])('turns %s into %s', (from, to) => {
    expect(transliterate(from)).toBe(to)
  })

  it('leaves letters of other scripts for the character step to delete', () => {
    expect(transliterate('иван 田中 αβ')).toBe('иван 田中 αβ')
    expect(transliterate('й')).toBe('й')
  })

  it('transliterates only where non-ASCII is a character problem', () => {
    const r = scan([contact('A', { displayName: ' Zoë ', targetAddress: 'SMTP:zoë@fabrikam.com' })])
    expect(verdictOn(r, 'displayName')).toEqual(edit(['character'], 'Zoë'))
    expect(verdictOn(r, 'targetAddress')).toEqual(none(['localpart']))
  })
})

describe('the steps in order', () => {
  it('trims, transliterates, deletes, cleans the local part, maps the suffix, then shortens', () => {
    const suffixMap = new Map([['contoso.local', 'contoso.com']])
    const v = ` ${'é'.repeat(40)}..(x)@@${'b'.repeat(40)}.@contoso.local `
    const expected = `${'e'.repeat(40)}.x${'b'.repeat(22)}@contoso.com`
    expect(suggestValue(UPN, v, suffixMap)).toBe(expected)
    expect(expected.split('@')[0]).toHaveLength(64)
  })

  it('cleans the local part after deleting characters, so a deleted character cannot leave two dots', () => {
    expect(suggestValue(UPN, 'john.(.doe@contoso.com', noMap)).toBe('john.doe@contoso.com')
  })

  it('returns null when a value needs no step it can take', () => {
    expect(suggestValue(MAIL, 'fr(ank@contoso.com', noMap)).toBeNull()
    expect(suggestValue(MAIL, 'frank@contoso.com', noMap)).toBeNull()
  })

  it('returns null for an empty result', () => {
    expect(suggestValue(MAIL_NICKNAME, '(((', noMap)).toBeNull()
    expect(suggestValue(UPN, '"()"@contoso.com', noMap)).toBeNull()
    const r = scan([contact('A', { mailNickname: '...' })])
    expect(verdictOn(r, 'mailNickname')).toEqual(none(['character']))
  })

  it('never edits the domain except with the suffix map', () => {
    expect(suggestValue(MAIL, 'jörg@münchen.de', noMap)).toBeNull()
    expect(suggestValue(MAIL, 'jörg@contoso.com', noMap)).toBe('jorg@contoso.com')
    expect(suggestValue(MAIL, 'a b@my host.com', noMap)).toBeNull()
  })

  it('does not apply the suffix map to a value whose TLD is valid', () => {
    const map = new Map([['contoso.com', 'fabrikam.com']])
    expect(suggestValue(MAIL, 'a b@contoso.com', map)).toBe('ab@contoso.com')
  })
})

describe('validation of a suggestion', () => {
  it('ignores duplicate and mismatch when validating', () => {
    // the primary address is unusable as a UPN (`+`), so the normal steps apply; their
    // result differs from mail and is another object's mail, and is still suggested
    const r = scan([
      user('A', { userPrincipalName: 'j doe@contoso.com', mail: 'john+doe@contoso.com' }),
      contact('B', { mail: 'jdoe@contoso.com' }),
    ])
    expect(verdictOn(r, 'userPrincipalName')).toEqual(edit(['character', 'mismatch'], 'jdoe@contoso.com'))
  })

  it('uses the attribute rules: a mailNickname keeps a trailing dot, a UPN may not', () => {
    const r = scan([contact('A', { mailNickname: `${'n'.repeat(63)}.xyz` })])
    expect(verdictOn(r, 'mailNickname')).toEqual(edit(['length'], `${'n'.repeat(63)}.`))
    expect(
      checkUser({ userPrincipalName: `${'n'.repeat(63)}.xyz@contoso.com` }, 'userPrincipalName'),
    ).toEqual(none(['length']))
  })

  it('sets action edit exactly when there is a suggestion', () => {
    const r = scan([
      group('G', { displayName: ' Sales ', mail: 'sales@contoso.local', mailNickname: '.sales' }),
    ])
    expect(on(r, 'displayName')[0]?.action).toBe('edit')
    expect(on(r, 'mail')[0]?.action).toBe('none')
    expect(on(r, 'mail')[0]?.suggestion).toBeNull()
    expect(on(r, 'mailNickname')[0]?.action).toBe('edit')
  })
})
