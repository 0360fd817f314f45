import { describe, expect, it } from 'vitest'
import { desiredState } from '../../../src/core/desired.js'
import { checkGuard } from '../../../src/core/guard.js'
import { compileMapping } from '../../../src/core/mapping.js'
import { type OnDelete, plan } from '../../../src/core/plan.js'
import { resolveRefs } from '../../../src/core/refs.js'
import type { SnapshotRecord, TargetRow } from '../../../src/core/sync-model.js'
import { group, row, snapshot, user } from './helpers.js'

const map = compileMapping({ users: {}, groups: {} }, 'm')
const kinds = new Set(['user', 'group'] as const)

function planOf(
  snap: Map<string, SnapshotRecord>,
  rows: TargetRow[] = [],
  o: { onDelete?: OnDelete; deleted?: string[]; nested?: boolean; now?: Date; days?: number } = {},
) {
  const desired = desiredState(resolveRefs(snap), {
    kinds: new Set(kinds),
    nestedGroups: o.nested ?? true,
    map,
  })
  return plan({
    target: 't',
    desired,
    rows: new Map(rows.map((r) => [r.anchor, r])),
    matches: new Map(),
    deleted: new Set(o.deleted ?? []),
    onDelete: o.onDelete ?? 'disable',
    deleteAfterDays: o.days ?? 30,
    now: o.now ?? new Date('2026-11-22T00:00:00Z'),
  })
}

/** The rows a perfect apply of the first plan leaves behind. */
function exported(snap: Map<string, SnapshotRecord>, nested = true): TargetRow[] {
  const d = desiredState(resolveRefs(snap), { kinds: new Set(kinds), nestedGroups: nested, map })
  return [...d.objects.values()].map((o) => row(o.anchor, o.kind, o.attrs, { members: o.members ?? [] }))
}

describe('planning', () => {
  it('creates users before groups, and a new group with its members (no separate membership write)', () => {
    const p = planOf(snapshot(user('u1'), user('u2'), group('g1', ['u1', 'u2'])))
    expect(p.ops.map((o) => `${o.op} ${o.anchor}`)).toEqual(['create u1', 'create u2', 'create g1'])
    expect(p.ops[2]).toMatchObject({ members: ['u1', 'u2'], wave: 1 })
    expect(p.counts).toMatchObject({ create: 3, 'add-members': 0 })
  })

  it('creates a nested group before the group holding it; a loop of groups gets its members after', () => {
    const p = planOf(snapshot(user('u1'), group('inner', ['u1']), group('outer', ['inner'])))
    expect(p.ops.map((o) => `${o.op} ${o.anchor} ${o.op === 'create' ? (o.wave ?? 0) : ''}`)).toEqual([
      'create u1 0',
      'create inner 1',
      'create outer 2',
    ])
    const loop = planOf(snapshot(group('a', ['b']), group('b', ['a'])))
    expect(loop.ops.map((o) => `${o.op} ${o.anchor}`)).toEqual([
      'create a',
      'create b',
      'add-members a',
      'add-members b',
    ])
  })

  it('plans nothing for an unchanged directory', () => {
    const snap = snapshot(user('u1', {}, { manager: null }), user('u2'), group('g1', ['u1']))
    expect(planOf(snap, exported(snap)).ops).toEqual([])
  })

  it('turns one changed attribute into one update of that attribute', () => {
    const snap = snapshot(user('u1', { title: 'Engineer' }))
    const rows = exported(snap)
    snap.set('u1', user('u1', { title: 'Manager' }))
    expect(planOf(snap, rows).ops).toEqual([
      {
        op: 'update',
        kind: 'user',
        anchor: 'u1',
        targetId: 'id-u1',
        changes: [{ path: 'title', from: 'Engineer', to: 'Manager' }],
        reason: 'changed: title',
      },
    ])
  })

  it('keeps a renamed user the same target object (rename, never delete + create)', () => {
    const snap = snapshot(user('u1'))
    const rows = exported(snap)
    snap.set(
      'u1',
      user(
        'u1',
        { userprincipalname: 'new.name@corp.example.com', samaccountname: 'newname' },
        { dn: 'CN=New Name,OU=Staff,DC=corp,DC=example,DC=com' },
      ),
    )
    const p = planOf(snap, rows)
    expect(p.ops).toHaveLength(1)
    expect(p.ops[0]).toMatchObject({
      op: 'rename',
      targetId: 'id-u1',
      changes: [{ path: 'userName', from: 'u1@corp.example.com', to: 'new.name@corp.example.com' }],
    })
  })

  it('changes a membership member by member, whatever the group size', () => {
    const members = Array.from({ length: 5000 }, (_, i) => `m${i}`)
    const snap = snapshot(...members.map((m) => user(m)), group('big', members))
    const rows = exported(snap)
    snap.set('extra', user('extra'))
    snap.set('big', group('big', [...members.slice(1), 'extra']))
    const p = planOf(snap, [...rows, row('extra', 'user', exported(snapshot(user('extra')))[0]!.attrs)])
    expect(p.ops).toEqual([
      {
        op: 'add-members',
        kind: 'group',
        anchor: 'big',
        targetId: 'id-big',
        members: ['extra'],
        reason: '1 member joined',
      },
      {
        op: 'remove-members',
        kind: 'group',
        anchor: 'big',
        targetId: 'id-big',
        members: ['m0'],
        reason: '1 member left (or left the scope)',
      },
    ])
  })

  it('disables a user that left the scope and removes it from its groups (onDelete: disable)', () => {
    const snap = snapshot(user('u1'), user('u2'), group('g1', ['u1', 'u2']))
    const rows = exported(snap)
    snap.delete('u2')
    snap.set('g1', group('g1', ['u1']))
    const p = planOf(snap, rows)
    expect(p.ops.map((o) => `${o.op} ${o.anchor}`)).toEqual(['remove-members g1', 'disable u2'])
    expect(p.ops[1]).toMatchObject({
      cause: 'out-of-scope',
      changes: [{ path: 'active', from: true, to: false }],
    })
  })

  it('keeps a user disabled in the source as an inactive member', () => {
    const snap = snapshot(user('u1'), group('g1', ['u1']))
    const rows = exported(snap)
    snap.set('u1', user('u1', {}, { disabled: true }))
    const p = planOf(snap, rows)
    expect(p.ops).toEqual([
      expect.objectContaining({ op: 'disable', anchor: 'u1', cause: 'disabled-in-source' }),
    ])
  })

  it('leaves a group that left the scope orphaned under onDelete: disable, and deletes it otherwise', () => {
    const snap = snapshot(user('u1'), group('g1', ['u1']))
    const rows = exported(snap)
    snap.delete('g1')
    expect(planOf(snap, rows)).toMatchObject({ ops: [], orphaned: ['g1'], counts: { orphaned: 1 } })
    expect(planOf(snap, rows, { onDelete: 'delete' }).ops).toEqual([
      expect.objectContaining({ op: 'delete', anchor: 'g1', cause: 'out-of-scope' }),
    ])
  })

  it('deletes a disabled user once deleteAfterDays have passed (disable-then-delete)', () => {
    const rows = [
      row(
        'u1',
        'user',
        { userName: 'u1', active: false },
        { state: 'disabled', disabledAt: '2026-10-01T00:00:00Z' },
      ),
    ]
    expect(planOf(snapshot(), rows, { onDelete: 'disable-then-delete', days: 30 }).ops).toEqual([
      expect.objectContaining({ op: 'delete', cause: 'grace-period-over' }),
    ])
    expect(planOf(snapshot(), rows, { onDelete: 'disable-then-delete', days: 90 }).ops).toEqual([])
  })

  it('never removes an object that is still in scope but cannot be exported now (its userName went empty)', () => {
    const snap = snapshot(user('u1'), user('u2'))
    const rows = exported(snap)
    snap.set('u2', user('u2', { userprincipalname: '' }))
    const p = planOf(snap, rows, { onDelete: 'delete' })
    expect(p.ops).toEqual([])
    expect(p.held).toEqual(['u2'])
  })

  it('under disable-then-delete, orphans a group that left and deletes it only after deleteAfterDays', () => {
    const g = row('g1', 'group', { displayName: 'G' })
    expect(planOf(snapshot(), [g], { onDelete: 'disable-then-delete' })).toMatchObject({
      ops: [],
      orphaned: ['g1'],
    })
    const orphaned = { ...g, state: 'orphaned' as const, disabledAt: '2026-10-01T00:00:00Z' }
    expect(planOf(snapshot(), [orphaned], { onDelete: 'disable-then-delete', days: 90 }).ops).toEqual([])
    expect(planOf(snapshot(), [orphaned], { onDelete: 'disable-then-delete', days: 30 }).ops).toEqual([
      expect.objectContaining({ op: 'delete', anchor: 'g1', cause: 'grace-period-over' }),
    ])
  })

  it('starts the grace period of a user disabled in the source when it leaves the scope', () => {
    const r = row('u1', 'user', { userName: 'u1', active: false }, { state: 'disabled', disabledAt: null })
    expect(planOf(snapshot(), [r], { onDelete: 'disable-then-delete' })).toMatchObject({
      ops: [],
      clocks: ['u1'],
    })
  })

  it('flattens nested groups into their users when the target wants that', () => {
    const snap = snapshot(user('u1'), user('u2'), group('inner', ['u2']), group('outer', ['u1', 'inner']))
    const nested = planOf(snap).ops.find((o) => o.anchor === 'outer' && o.op === 'create')
    const flat = planOf(snap, [], { nested: false }).ops.find(
      (o) => o.anchor === 'outer' && o.op === 'create',
    )
    expect(nested).toMatchObject({ members: ['u1', 'inner'] })
    expect(flat).toMatchObject({ members: ['u1', 'u2'] })
  })

  it('creates a manager in an earlier wave than its reports, so the reference goes with the create', () => {
    const p = planOf(
      snapshot(
        user('u1', {}, { managerRef: 'guid:boss' }),
        user('boss', {}, { managerRef: 'guid:ceo' }),
        user('ceo'),
      ),
    )
    expect(p.ops.map((o) => `${o.op} ${o.anchor} ${o.op === 'create' ? (o.wave ?? 0) : ''}`)).toEqual([
      'create ceo 0',
      'create boss 1',
      'create u1 2',
    ])
    expect(p.ops[2]).toMatchObject({ attrs: { 'enterprise.manager': 'boss' } })
  })

  it('sets a loop of manager references right after the creates', () => {
    const p = planOf(
      snapshot(user('a', {}, { managerRef: 'guid:b' }), user('b', {}, { managerRef: 'guid:a' })),
    )
    expect(p.ops.map((o) => `${o.op} ${o.anchor}`)).toEqual(['create a', 'create b', 'update a', 'update b'])
    expect(p.ops[2]).toMatchObject({ changes: [{ path: 'enterprise.manager', from: null, to: 'b' }] })
  })

  it('reports an object it cannot export instead of sending it', () => {
    const d = desiredState(resolveRefs(snapshot(user('u1', { userprincipalname: '' }))), {
      kinds: new Set(kinds),
      nestedGroups: true,
      map,
    })
    expect(d.skipped.get('u1')).toBe('userName would be empty (its source attribute is missing)')
  })
})

describe('the guard', () => {
  const guard = { maxDeletes: 500, maxDeletePercent: 10, maxDisables: 500 }
  const many = (n: number) => Array.from({ length: n }, (_, i) => user(`u${i}`))

  it('stops a plan that disables more than maxDeletePercent of the managed users', () => {
    const snap = snapshot(...many(100))
    const rows = exported(snap)
    for (let i = 0; i < 11; i++) snap.delete(`u${i}`)
    const v = checkGuard({ plan: planOf(snap, rows), guard, scopeChanged: null, allowed: false })
    expect(v.pass).toBe(false)
    expect(v.reasons).toEqual([
      '11 of the 100 users idsync manages would be removed (11.0 %, more than guard.maxDeletePercent 10 %)',
    ])
  })

  it('lets it through with --allow-deletes, still saying why', () => {
    const snap = snapshot(...many(100))
    const rows = exported(snap)
    for (let i = 0; i < 11; i++) snap.delete(`u${i}`)
    const v = checkGuard({ plan: planOf(snap, rows), guard, scopeChanged: null, allowed: true })
    expect(v.pass).toBe(true)
    expect(v.reasons).toHaveLength(1)
  })

  it('stops removals after the scope itself changed, however few', () => {
    const snap = snapshot(...many(100))
    const rows = exported(snap)
    snap.delete('u1')
    const v = checkGuard({ plan: planOf(snap, rows), guard, scopeChanged: 'include edited', allowed: false })
    expect(v.pass).toBe(false)
    expect(v.reasons[0]).toContain('the scope changed since the last sync (include edited)')
  })

  it('counts deletions against maxDeletes and disables (source-disabled included) against maxDisables', () => {
    const snap = snapshot(...many(10))
    const rows = exported(snap)
    for (let i = 0; i < 3; i++) snap.set(`u${i}`, user(`u${i}`, {}, { disabled: true }))
    const v = checkGuard({
      plan: planOf(snap, rows),
      guard: { maxDeletes: 0, maxDeletePercent: 100, maxDisables: 2 },
      scopeChanged: null,
      allowed: false,
    })
    expect(v.reasons).toEqual(['3 disables, more than guard.maxDisables (2)'])
  })
})
