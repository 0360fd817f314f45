import { describe, expect, it } from 'vitest'
import { decide, type PlannedChange, sameSet } from '../../../src/app/changes.js'

const b = (s: string) => Buffer.from(s)
const change = (over: Partial<PlannedChange>): PlannedChange => ({
  dn: 'CN=A,DC=x',
  anchor: null,
  attribute: 'proxyAddresses',
  action: 'edit',
  multiValued: true,
  oldValue: 'smtp:a b@x.com',
  newValue: 'smtp:ab@x.com',
  ...over,
})

describe('deciding a change against the values read just before writing', () => {
  it('replaces one value of a multi-valued attribute, keeping the others', () => {
    const d = decide(change({}), [b('SMTP:a@x.com'), b('smtp:a b@x.com')])
    expect(d).toEqual({
      kind: 'write',
      remove: [b('smtp:a b@x.com')],
      add: [b('smtp:ab@x.com')],
      after: [b('SMTP:a@x.com'), b('smtp:ab@x.com')],
    })
  })

  it('only removes the old value when the new one is already there', () => {
    const d = decide(change({}), [b('smtp:a b@x.com'), b('smtp:ab@x.com')])
    expect(d).toMatchObject({ kind: 'write', remove: [b('smtp:a b@x.com')], add: [] })
  })

  it('calls a change already done when the new value is there and the old gone (a re-run)', () => {
    expect(decide(change({}), [b('smtp:ab@x.com')]).kind).toBe('already')
  })

  it('refuses a change that would leave the object with a second primary SMTP: address', () => {
    const d = decide(change({ oldValue: 'smtp:a b@x.com', newValue: 'SMTP:ab@x.com' }), [
      b('SMTP:a@x.com'),
      b('smtp:a b@x.com'),
    ])
    expect(d).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/two primary/) })
    // replacing the primary itself is fine
    const p = decide(change({ oldValue: 'SMTP:a@x.com', newValue: 'SMTP:ab@x.com' }), [
      b('SMTP:a@x.com'),
      b('smtp:a b@x.com'),
    ])
    expect(p.kind).toBe('write')
  })

  it('calls it stale when the old value changed to something else', () => {
    expect(decide(change({}), [b('smtp:other@x.com')])).toEqual({
      kind: 'stale',
      reason: 'the value changed since the scan',
    })
  })

  it('compares bytes exactly: a value differing only in case is stale, not a match', () => {
    expect(
      decide(change({ multiValued: false, attribute: 'mail', oldValue: 'A@x.com', newValue: 'a@x.com' }), [
        b('a@X.com'),
      ]).kind,
    ).toBe('stale')
  })

  it('sets a missing single-valued attribute only while it is still missing', () => {
    const c = change({
      attribute: 'userPrincipalName',
      multiValued: false,
      oldValue: null,
      newValue: 'u@x.com',
    })
    expect(decide(c, [])).toMatchObject({ kind: 'write', remove: [], add: [b('u@x.com')] })
    expect(decide(c, [b('u@x.com')]).kind).toBe('already')
    expect(decide(c, [b('someone@x.com')])).toEqual({
      kind: 'stale',
      reason: 'the attribute was set since the scan',
    })
  })

  it('removes a value, and calls a removal of a value already gone done', () => {
    const c = change({ action: 'remove', newValue: null })
    expect(decide(c, [b('SMTP:a@x.com'), b('smtp:a b@x.com')])).toMatchObject({
      kind: 'write',
      remove: [b('smtp:a b@x.com')],
      add: [],
      after: [b('SMTP:a@x.com')],
    })
    expect(decide(c, [b('SMTP:a@x.com')]).kind).toBe('already')
  })

  it('restores a whole set when the directory holds what the batch wrote', () => {
    const c = change({
      action: 'restore',
      restore: {
        expected: ['SMTP:a@x.com', 'smtp:ab@x.com'],
        target: ['SMTP:a@x.com', 'smtp:a b@x.com'],
        force: false,
      },
    })
    expect(decide(c, [b('smtp:ab@x.com'), b('SMTP:a@x.com')])).toMatchObject({
      kind: 'write',
      remove: [b('smtp:ab@x.com')],
      add: [b('smtp:a b@x.com')],
    })
    expect(decide(c, [b('smtp:a b@x.com'), b('SMTP:a@x.com')]).kind).toBe('already')
    expect(decide(c, [b('SMTP:changed@x.com')]).kind).toBe('stale')
  })

  it('restores over a later change only with --force', () => {
    const c = change({ action: 'restore', restore: { expected: ['x'], target: ['y'], force: true } })
    expect(decide(c, [b('z')])).toEqual({ kind: 'replace', after: [b('y')] })
  })

  it('compares sets as multisets of bytes', () => {
    expect(sameSet([b('a'), b('b')], [b('b'), b('a')])).toBe(true)
    expect(sameSet([b('a'), b('a')], [b('a'), b('b')])).toBe(false)
    expect(sameSet([b('é')], [Buffer.from('e\u0301')])).toBe(false)
  })
})
