import { describe, expect, it } from 'vitest'
import { compileExpression, compileMapping } from '../../../src/core/mapping.js'
import { group, user } from './helpers.js'

const none = { users: {}, groups: {} }

describe('the default SCIM mapping', () => {
  it('maps a user as RFC 7643 core + enterprise, externalId from the anchor', () => {
    const m = compileMapping(none, 'm')
    const rec = user(
      'A1',
      {
        mail: 'a@x.com',
        title: 'Engineer',
        telephonenumber: '+1 555 0100',
        mobile: '+1 555 0199',
        department: 'R&D',
        employeeid: '42',
      },
      { manager: 'B2' },
    )
    expect(m.user(rec)).toEqual({
      externalId: 'A1',
      userName: 'A1@corp.example.com',
      'name.givenName': 'Given',
      'name.familyName': 'Sur',
      displayName: 'User A1',
      'emails.work': 'a@x.com',
      title: 'Engineer',
      'phoneNumbers.work': '+1 555 0100',
      'phoneNumbers.mobile': '+1 555 0199',
      'enterprise.department': 'R&D',
      'enterprise.employeeNumber': '42',
      'enterprise.manager': 'B2',
    })
  })

  it('gives a group its displayName, else its cn', () => {
    const m = compileMapping(none, 'm')
    expect(m.group(group('G1', [], { displayname: 'Sales' }))).toEqual({
      externalId: 'G1',
      displayName: 'Sales',
    })
    expect(m.group(group('G2', []))).toEqual({ externalId: 'G2', displayName: 'G2' })
  })
})

describe('mapping overrides', () => {
  it('renames, adds constants and templates, and drops paths', () => {
    const m = compileMapping(
      {
        users: {
          userName: 'mail',
          title: "'Staff'",
          displayName: '{givenName} {sn}',
          'enterprise.manager': null,
          'urn:x:costCenter': 'extensionAttribute1 ?? department | upper',
        },
        groups: {},
      },
      'm',
    )
    const attrs = m.user(user('A1', { mail: 'A@X.com', department: 'sales' }))
    expect(attrs.userName).toBe('A@X.com')
    expect(attrs.title).toBe('Staff')
    expect(attrs.displayName).toBe('Given Sur')
    expect('enterprise.manager' in attrs).toBe(false)
    expect(attrs['urn:x:costCenter']).toBe('SALES')
  })

  it('gives null when a template needs a missing attribute', () => {
    expect(compileExpression('{givenName} {middleName}', 'x')(user('A'))).toBeNull()
  })

  it.each([
    ['lower | shout', 'unknown filter "shout"'],
    ["'unterminated", 'a constant ends with a single quote'],
    ['{given name}', '"{given name}" is not an attribute name'],
    ['a b', '"a b" is not an attribute name'],
  ])('refuses %j naming the place', (expr, message) => {
    expect(() => compileMapping({ users: { title: expr }, groups: {} }, 'targets[0].mapping')).toThrow(
      `targets[0].mapping.users.title: ${message}`,
    )
  })

  it('refuses to map active or members: they come from the source state', () => {
    expect(() => compileMapping({ users: { active: 'true' }, groups: {} }, 'm')).toThrow('cannot be mapped')
  })
})
