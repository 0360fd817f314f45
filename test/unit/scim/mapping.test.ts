// Flat paths to SCIM JSON and back: POST bodies, PATCH operations, read-back, and paths refused.
import { describe, expect, it } from 'vitest'
import {
  ENTERPRISE_USER,
  fromResource,
  GROUP_SCHEMA,
  scimString,
  toPatchOps,
  toResource,
  USER_SCHEMA,
} from '../../../src/connectors/scim/mapping.js'
import { TargetError } from '../../../src/connectors/types.js'
import type { FlatAttrs } from '../../../src/core/sync-model.js'

const CUSTOM = 'urn:example:params:scim:schemas:extension:acme:2.0:User'

const user: FlatAttrs = {
  externalId: 'AbC+/w==',
  userName: 'alice@corp.example.com',
  'name.givenName': 'Alice',
  'name.familyName': 'Liddell',
  displayName: 'Alice Liddell',
  title: 'Engineer',
  active: true,
  'emails.work': 'alice@corp.example.com',
  'phoneNumbers.work': '+1 555 0100',
  'phoneNumbers.mobile': '+1 555 0199',
  'enterprise.department': 'Research',
  'enterprise.employeeNumber': 'E-1001',
  'enterprise.manager': 'mgr-id',
  [`${CUSTOM}:badge`]: 'B-7',
}

describe('SCIM mapping', () => {
  it('builds a User body with the core schema, the extensions used, and typed values', () => {
    expect(toResource('user', { ...user, nickName: null })).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_USER, CUSTOM],
      externalId: 'AbC+/w==',
      userName: 'alice@corp.example.com',
      name: { givenName: 'Alice', familyName: 'Liddell' },
      displayName: 'Alice Liddell',
      title: 'Engineer',
      active: true,
      emails: [{ value: 'alice@corp.example.com', type: 'work', primary: true }],
      phoneNumbers: [
        { value: '+1 555 0100', type: 'work' },
        { value: '+1 555 0199', type: 'mobile' },
      ],
      [ENTERPRISE_USER]: { department: 'Research', employeeNumber: 'E-1001', manager: { value: 'mgr-id' } },
      [CUSTOM]: { badge: 'B-7' },
    })
  })

  it('builds a Group body with members', () => {
    expect(toResource('group', { externalId: 'g', displayName: 'Staff' }, ['a', 'b'])).toEqual({
      schemas: [GROUP_SCHEMA],
      externalId: 'g',
      displayName: 'Staff',
      members: [{ value: 'a' }, { value: 'b' }],
    })
  })

  it('reads back every path it writes', () => {
    const body = toResource('user', user)
    const back = fromResource('user', {
      ...body,
      id: 'id-1',
      meta: { version: 'W/"1"' },
      groups: [{ value: 'g' }],
    })
    expect(back).toEqual({ id: 'id-1', kind: 'user', externalId: 'AbC+/w==', attrs: user })
    const group = fromResource('group', {
      id: 'g',
      displayName: 'Staff',
      members: [{ value: 'a', display: 'A' }],
    })
    expect(group).toEqual({
      id: 'g',
      kind: 'group',
      externalId: null,
      attrs: { displayName: 'Staff' },
      members: ['a'],
    })
  })

  it('reads the first value of each type, and skips untyped values and numbers', () => {
    const back = fromResource('user', {
      id: 'x',
      userName: 'u',
      emails: [{ value: 'a@x' }, { value: 'b@x', type: 'work' }, { value: 'c@x', type: 'work' }],
      x509Certificates: [{ value: 'MII…' }],
      loginCount: 3,
    })
    expect(back.attrs).toEqual({ userName: 'u', 'emails.work': 'b@x' })
  })

  it('makes one operation per path: replace, remove for null, remove-then-add for typed values', () => {
    expect(
      toPatchOps({
        title: 'Boss',
        'name.givenName': null,
        active: 'false',
        'emails.work': 'new@x',
        'phoneNumbers.mobile': null,
        'enterprise.manager': 'm2',
        'enterprise.department': null,
        [`${CUSTOM}:badge`]: 'B-8',
      }),
    ).toEqual([
      { op: 'replace', path: 'title', value: 'Boss' },
      { op: 'remove', path: 'name.givenName' },
      { op: 'replace', path: 'active', value: false },
      { op: 'remove', path: 'emails[type eq "work"]' },
      { op: 'add', path: 'emails', value: [{ value: 'new@x', type: 'work', primary: true }] },
      { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
      { op: 'replace', path: `${ENTERPRISE_USER}:manager`, value: { value: 'm2' } },
      { op: 'remove', path: `${ENTERPRISE_USER}:department` },
      { op: 'replace', path: `${CUSTOM}:badge`, value: 'B-8' },
    ])
    expect(toPatchOps({})).toEqual([])
  })

  it('refuses paths that are not SCIM attributes, and a non-boolean active', () => {
    for (const path of ['members', 'id', 'meta.version', 'name..x', 'urn:x', 'a b', 'enterprise.'])
      expect(() => toPatchOps({ [path]: 'v' }), path).toThrow(TargetError)
    expect(() => toResource('user', { active: 'yes' })).toThrow(/active must be true or false/)
  })

  it('quotes filter strings as JSON strings (RFC 7644 §3.4.2.2)', () => {
    expect(scimString('a"b\\c')).toBe('"a\\"b\\\\c"')
  })
})
