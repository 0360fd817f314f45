// The forest-wide SMTP namespace (UPN of users, mail of every object, smtp:/SMTP: proxy
// addresses) and the duplicate policy.
import { describe, expect, it } from 'vitest'
import type { Finding } from '../../../src/rules/types.js'
import { contact, dnOf, group, none, on, scan, user, verdict } from './helpers.js'

const [A, B, C] = [dnOf('A'), dnOf('B'), dnOf('C')]
const dup = (f: Finding) => ({ dn: f.dn, attribute: f.attribute, value: f.value, ...verdict(f) })
const remove = (conflictsWith: string[]) => ({
  codes: ['duplicate'],
  severity: 'error',
  suggestion: null,
  action: 'remove',
  conflictsWith,
})

describe('SMTP namespace', () => {
  it('flags a UPN that is another object mail on both, each listing the other (not IdFix)', () => {
    const r = scan([
      user('A', { userPrincipalName: 'jane@contoso.com' }),
      contact('B', { mail: 'jane@contoso.com' }),
    ])
    expect(r.findings.map(dup)).toEqual([
      {
        dn: A,
        attribute: 'userPrincipalName',
        value: 'jane@contoso.com',
        ...none(['duplicate'], 'error', [B]),
      },
      { dn: B, attribute: 'mail', value: 'jane@contoso.com', ...none(['duplicate'], 'error', [A]) },
    ])
  })

  it('compares mail of one object with proxyAddresses of another, case-insensitively', () => {
    const r = scan([
      contact('A', { mail: 'Jane@Contoso.com' }),
      group('B', { proxyAddresses: ['SMTP:jane@CONTOSO.COM'] }),
    ])
    expect(r.findings.map(dup)).toEqual([
      { dn: A, attribute: 'mail', value: 'Jane@Contoso.com', ...none(['duplicate'], 'error', [B]) },
      {
        dn: B,
        attribute: 'proxyAddresses',
        value: 'SMTP:jane@CONTOSO.COM',
        ...none(['duplicate'], 'error', [A]),
      },
    ])
  })

  it('flags two secondary smtp: values with action none, as nobody holds it as primary', () => {
    const r = scan([
      contact('A', { proxyAddresses: ['smtp:x@contoso.com'] }),
      contact('B', { proxyAddresses: ['smtp:x@contoso.com'] }),
    ])
    expect(r.findings.map(verdict)).toEqual([
      none(['duplicate'], 'error', [B]),
      none(['duplicate'], 'error', [A]),
    ])
  })

  it('lists the other holders in input order, not by attribute', () => {
    const r = scan([
      contact('C', { proxyAddresses: ['smtp:x@contoso.com'] }),
      user('A', { userPrincipalName: 'x@contoso.com' }),
      group('B', { mail: 'x@contoso.com' }),
    ])
    expect(r.findings.map((f) => [f.dn, f.conflictsWith])).toEqual([
      [C, [A, B]],
      [A, [C, B]],
      [B, [C, A]],
    ])
  })

  it('accepts one object holding the same address in several attributes', () => {
    const r = scan([
      user('A', {
        userPrincipalName: 'jane@contoso.com',
        mail: 'Jane@contoso.com',
        proxyAddresses: ['SMTP:jane@contoso.com', 'smtp:JANE@contoso.com'],
      }),
    ])
    expect(r.findings).toEqual([])
  })

  it('flags every value of an object that holds a duplicate twice', () => {
    const r = scan([
      user('A', { userPrincipalName: 'jane@contoso.com', mail: 'jane@contoso.com' }),
      contact('B', { mail: 'jane@contoso.com' }),
    ])
    expect(r.findings.map((f) => [f.dn, f.attribute, f.conflictsWith])).toEqual([
      [A, 'userPrincipalName', [B]],
      [A, 'mail', [B]],
      [B, 'mail', [A]],
    ])
  })

  it('leaves the UPN of contacts and groups out of the namespace', () => {
    const r = scan([
      contact('A', { userPrincipalName: 'x@contoso.com' }),
      contact('B', { mail: 'x@contoso.com' }),
    ])
    expect(r.findings).toEqual([])
  })

  it('leaves skipped objects out of the namespace', () => {
    const r = scan([
      user('A', { userPrincipalName: 'x@contoso.com' }),
      user('B', { userPrincipalName: 'x@contoso.com', sAMAccountName: 'HealthMailbox1' }),
      user('C', {
        mail: 'x@contoso.com',
        userPrincipalName: 'c@contoso.com',
        isCriticalSystemObject: 'TRUE',
      }),
    ])
    expect(r.findings).toEqual([])
  })

  it('judges duplicates on the value as stored', () => {
    // a surrounding space makes a different stored value: a character problem, not a duplicate
    const r = scan([contact('A', { mail: 'x@contoso.com' }), contact('B', { mail: ' x@contoso.com' })])
    expect(r.findings.map((f) => [f.dn, f.codes])).toEqual([[B, ['character']]])
  })
})

describe('duplicate policy', () => {
  it('removes secondary smtp: values when exactly one holder has it as UPN', () => {
    const r = scan([
      user('A', { userPrincipalName: 'x@contoso.com' }),
      contact('B', { proxyAddresses: ['SMTP:b@contoso.com', 'smtp:x@contoso.com'] }),
      contact('C', { proxyAddresses: ['smtp:X@contoso.com'] }),
    ])
    expect(r.findings.map(dup)).toEqual([
      {
        dn: A,
        attribute: 'userPrincipalName',
        value: 'x@contoso.com',
        ...none(['duplicate'], 'error', [B, C]),
      },
      { dn: B, attribute: 'proxyAddresses', value: 'smtp:x@contoso.com', ...remove([A, C]) },
      { dn: C, attribute: 'proxyAddresses', value: 'smtp:X@contoso.com', ...remove([A, B]) },
    ])
  })

  it('removes secondary values when the one strong holder has it as SMTP: or as mail', () => {
    const viaSmtp = scan([
      contact('A', { proxyAddresses: ['SMTP:x@contoso.com'] }),
      contact('B', { proxyAddresses: ['smtp:x@contoso.com'] }),
    ])
    expect(viaSmtp.findings.map((f) => f.action)).toEqual(['none', 'remove'])
    const viaMail = scan([
      contact('A', { proxyAddresses: ['smtp:x@contoso.com'] }),
      group('B', { mail: 'x@contoso.com' }),
    ])
    expect(viaMail.findings.map((f) => f.action)).toEqual(['remove', 'none'])
  })

  it('keeps the secondary value of the strong holder itself', () => {
    const r = scan([
      user('A', { userPrincipalName: 'x@contoso.com', proxyAddresses: ['smtp:x@contoso.com'] }),
      contact('B', { proxyAddresses: ['smtp:x@contoso.com'] }),
    ])
    expect(r.findings.map((f) => [f.dn, f.attribute, f.action])).toEqual([
      [A, 'userPrincipalName', 'none'],
      [A, 'proxyAddresses', 'none'],
      [B, 'proxyAddresses', 'remove'],
    ])
  })

  it('lets a person decide when two holders have it as UPN or primary address', () => {
    const r = scan([
      user('A', { userPrincipalName: 'x@contoso.com' }),
      contact('B', { mail: 'x@contoso.com' }),
      contact('C', { proxyAddresses: ['smtp:x@contoso.com'] }),
    ])
    expect(r.findings.map((f) => f.action)).toEqual(['none', 'none', 'none'])
  })

  it('drops every other suggestion of a duplicate, whatever its other codes', () => {
    const suffixMap = new Map([['contoso.local', 'contoso.com']])
    const r = scan(
      [
        user('A', { userPrincipalName: 'x@contoso.local', mail: 'y@contoso.com' }),
        contact('B', { proxyAddresses: ['smtp:x@contoso.local'] }),
      ],
      { suffixMap },
    )
    expect(r.findings.map(verdict)).toEqual([
      none(['topleveldomain', 'duplicate', 'mismatch'], 'error', [B]),
      { ...remove([A]), codes: ['topleveldomain', 'duplicate'] },
    ])
  })

  it('reports format and duplicate together on an SMTP: value held elsewhere', () => {
    const r = scan([
      user('A', { userPrincipalName: 'x@contoso.com' }),
      contact('B', { proxyAddresses: ['SMTP:b@contoso.com', 'SMTP:x@contoso.com'] }),
    ])
    expect(on(r, 'proxyAddresses').map(verdict)).toEqual([
      none(['format']),
      none(['format', 'duplicate'], 'error', [A]),
    ])
  })
})
