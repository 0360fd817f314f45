// The sync engine through the CLI, from an LDIF source into `preview` targets (no
// network, no Samba): the guard's scope check per target, an include OU that vanished
// from the file, the deleteAfterDays clock of a user who comes back, references and
// members the target cannot hold, and `explain` of objects that left.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../support/cli.js'

const BASE = 'DC=corp,DC=example,DC=com'
const PEOPLE = `OU=People,${BASE}`
const GROUPS = `OU=Groups,${BASE}`

const guid = (n: number) => Buffer.from(n.toString(16).padStart(32, '0'), 'hex').toString('base64')

interface Person {
  n: number
  cn: string
  ou?: string
  upn?: string | null
  disabled?: boolean
  manager?: string
}

interface Shape {
  people: Person[]
  groups: { n: number; cn: string; members: string[] }[]
  groupsOu?: string
}

function dnOf(p: Person): string {
  return `CN=${p.cn},${p.ou ?? PEOPLE}`
}

function ldif(shape: Shape): string {
  const out = ['version: 1', '']
  const ous = new Set([PEOPLE, shape.groupsOu ?? GROUPS, `OU=Elsewhere,${BASE}`])
  for (const p of shape.people) ous.add(p.ou ?? PEOPLE)
  for (const ou of ous) out.push(`dn: ${ou}`, 'objectClass: organizationalUnit', '')
  const byCn = new Map(shape.people.map((p) => [p.cn, p]))
  for (const p of shape.people) {
    const local = p.cn.toLowerCase().replace(/ /g, '.')
    out.push(
      `dn: ${dnOf(p)}`,
      'objectClass: top',
      'objectClass: person',
      'objectClass: organizationalPerson',
      'objectClass: user',
      `cn: ${p.cn}`,
      `sAMAccountName: ${local.slice(0, 20)}`,
      ...(p.upn === null ? [] : [`userPrincipalName: ${p.upn ?? `${local}@example.com`}`]),
      `givenName: ${p.cn.split(' ')[0]}`,
      `sn: ${p.cn.split(' ')[1] ?? 'X'}`,
      `displayName: ${p.cn}`,
      `userAccountControl: ${p.disabled ? 514 : 512}`,
      ...(p.manager ? [`manager: ${dnOf(byCn.get(p.manager) as Person)}`] : []),
      `objectGUID:: ${guid(p.n)}`,
      '',
    )
  }
  for (const g of shape.groups) {
    out.push(
      `dn: CN=${g.cn},${shape.groupsOu ?? GROUPS}`,
      'objectClass: top',
      'objectClass: group',
      `cn: ${g.cn}`,
      `sAMAccountName: ${g.cn}`,
      ...g.members.map((m) => `member: ${dnOf(byCn.get(m) as Person)}`),
      `objectGUID:: ${guid(g.n)}`,
      '',
    )
  }
  return `${out.join('\n')}\n`
}

/** Twenty colleagues, so that one departure stays under any percentage threshold. */
const filler = (from: number): Person[] =>
  Array.from({ length: 20 }, (_, i) => ({ n: from + i, cn: `Filler P${i}` }))

function workspace(targets: string, extra = '') {
  const dir = mkdtempSync(join(tmpdir(), 'idsync-syncp-'))
  const config = join(dir, 'idsync.yaml')
  const write = (shape: Shape, scopeExtra = '', cut = 0) => {
    const text = ldif(shape)
    writeFileSync(join(dir, 'dir.ldif'), cut ? text.slice(0, -cut) : text)
    writeFileSync(
      config,
      [
        'source:',
        '  type: ldif',
        '  path: dir.ldif',
        '  scope:',
        `    include: ["${PEOPLE}", "${GROUPS}"]`,
        scopeExtra,
        'store: { path: ./idsync.db }',
        'targets:',
        targets,
        extra,
      ].join('\n'),
    )
  }
  const cli = (...args: string[]) => runCli([...args, '--config', config])
  return { dir, write, cli }
}

describe('sync from LDIF into preview targets, through the CLI', () => {
  it('a sync of one target (--target) does not accept a scope change for the others', async () => {
    const w = workspace(
      [
        '  - { name: usr, type: preview, objects: [users] }',
        '  - { name: grp, type: preview, objects: [groups] }',
      ].join('\n'),
      'guard: { maxDeletes: 1000, maxDeletePercent: 100, maxDisables: 1000 }',
    )
    const shape: Shape = {
      people: [...filler(100), { n: 1, cn: 'Ann Sub', ou: `OU=Sub,${PEOPLE}` }],
      groups: [{ n: 50, cn: 'Team', members: ['Filler P1'] }],
    }
    w.write(shape)
    expect((await w.cli('sync')).code).toBe(0)
    // the administrator excludes a sub-OU: Ann would leave the users target
    w.write(shape, `    exclude: ["OU=Sub,${PEOPLE}"]`)
    const groupsOnly = await w.cli('sync', '--target', 'grp')
    expect(groupsOnly.code).toBe(0)
    const users = await w.cli('sync', '--target', 'usr')
    expect(users.code).toBe(3)
    expect(users.stdout + users.stderr).toMatch(/the scope changed since the last sync \(exclude edited\)/)
    expect((await w.cli('sync', '--target', 'usr', '--allow-deletes')).code).toBe(0)
    // accepted by both targets now: the next plain sync has nothing to do
    const after = await w.cli('sync')
    expect(after.code).toBe(0)
    expect(after.stderr).toMatch(/"target":"usr".*"msg":"nothing to do"/)
  })

  it('an include OU that vanished from the file stops the sync (exit 3), naming the OU, and writes nothing', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users, groups] }')
    const shape: Shape = {
      people: filler(100),
      groups: [
        { n: 50, cn: 'Team', members: ['Filler P1'] },
        { n: 51, cn: 'Other', members: ['Filler P2'] },
      ],
    }
    w.write(shape)
    expect((await w.cli('sync')).code).toBe(0)
    w.write({ ...shape, groupsOu: `OU=Teams,${BASE}` })
    const r = await w.cli('sync')
    expect(r.code).toBe(3)
    expect(r.stdout + r.stderr).toContain(`the include base ${GROUPS} does not exist`)
    const status = JSON.parse((await w.cli('status', '--format', 'json')).stdout)
    expect(status[0].orphaned).toEqual([])
    expect(status[0].managed.groups).toBe(2)
  })

  it('an include OU that is still there but emptied is no missing OU: its groups are orphaned as usual', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users, groups] }')
    const shape: Shape = { people: filler(100), groups: [{ n: 50, cn: 'Team', members: ['Filler P1'] }] }
    w.write(shape)
    expect((await w.cli('sync')).code).toBe(0)
    // the OU=Groups entry stays in the export; its only group was deleted
    w.write({ ...shape, groups: [] })
    const r = await w.cli('sync')
    expect(r.stdout + r.stderr).not.toMatch(/does not exist/)
    expect(r.code).toBe(0)
    const status = JSON.parse((await w.cli('status', '--format', 'json')).stdout)
    expect(status[0].orphaned).toHaveLength(1)
  })

  it('refuses an LDIF file cut off mid-record (exit 2) instead of losing its last objects', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users, groups] }')
    const shape: Shape = { people: filler(100), groups: [{ n: 50, cn: 'Team', members: ['Filler P1'] }] }
    w.write(shape)
    expect((await w.cli('sync')).code).toBe(0)
    // the copy stopped inside the last record (the group): its objectGUID line is gone
    w.write(shape, '', 40)
    const r = await w.cli('sync')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/dir\.ldif:\d+: the file ends in the middle of a line/)
    const status = JSON.parse((await w.cli('status', '--format', 'json')).stdout)
    expect(status[0].managed).toMatchObject({ users: 20, groups: 1 })
    expect(status[0].orphaned).toEqual([])
  })

  it("stops a returning user's deleteAfterDays clock, so a later departure gets its full grace period", async () => {
    const w = workspace(
      '  - { name: app, type: preview, objects: [users], onDelete: disable-then-delete, deleteAfterDays: 30 }',
    )
    const bob: Person = { n: 2, cn: 'Bob Away', disabled: true }
    const people = filler(100)
    w.write({ people: [...people, bob], groups: [] })
    expect((await w.cli('sync')).code).toBe(0)
    const link = async () =>
      JSON.parse((await w.cli('explain', 'bob.away@example.com', '--format', 'json')).stdout).targets[0].link
    // Bob, already disabled, leaves the scope: his clock starts
    w.write({ people: [...people, { ...bob, ou: `OU=Elsewhere,${BASE}` }], groups: [] })
    expect((await w.cli('sync')).code).toBe(0)
    expect((await link()).disabledAt).not.toBeNull()
    // and comes back, still disabled: no operation, but the clock stops
    w.write({ people: [...people, bob], groups: [] })
    const back = await w.cli('sync')
    expect(back.code).toBe(0)
    expect(await link()).toMatchObject({ state: 'disabled', disabledAt: null })
  })

  it('a manager the target cannot hold gives no manager, and the second sync writes nothing', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users] }')
    w.write({
      people: [
        ...filler(100),
        { n: 3, cn: 'Max Boss', upn: null },
        { n: 4, cn: 'Ida Report', manager: 'Max Boss' },
      ],
      groups: [],
    })
    const first = await w.cli('sync')
    expect(first.code).toBe(0)
    const second = await w.cli('sync')
    expect(second.code).toBe(0)
    expect(second.stderr).toMatch(/"msg":"nothing to do"/)
    expect(second.stderr).not.toMatch(/"msg":"applied"/)
    // and explain agrees with the plan
    const why = await w.cli('explain', 'ida.report@example.com')
    expect(why.stdout).toMatch(/next sync: nothing \(in step\)/)
  })

  it('a user held back (its UPN went empty) stays a member of its groups', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users, groups] }')
    const carol: Person = { n: 5, cn: 'Carol Held' }
    const groups = [{ n: 52, cn: 'Team', members: ['Carol Held', 'Filler P1'] }]
    w.write({ people: [...filler(100), carol], groups })
    expect((await w.cli('sync')).code).toBe(0)
    w.write({ people: [...filler(100), { ...carol, upn: null }], groups })
    const plan = JSON.parse((await w.cli('plan', '--format', 'json')).stdout)
    expect(plan.ops.filter((o: { op: string }) => o.op === 'remove-members')).toEqual([])
    const held = await w.cli('explain', 'carol.held')
    expect(held.stdout).toMatch(/next sync: nothing: held \(in scope, but userName would be empty/)
  })

  it('explains a user deleted from the source, and one moved out of scope, with what the target holds', async () => {
    const w = workspace('  - { name: app, type: preview, objects: [users] }')
    const dave: Person = { n: 6, cn: 'Dave Gone' }
    const erin: Person = { n: 7, cn: 'Erin Moved' }
    w.write({ people: [...filler(100), dave, erin], groups: [] })
    expect((await w.cli('sync')).code).toBe(0)
    w.write({ people: [...filler(100), { ...erin, ou: `OU=Elsewhere,${BASE}` }], groups: [] })
    expect((await w.cli('sync')).code).toBe(0)

    for (const who of ['dave.gone@example.com', guid(6)]) {
      const r = await w.cli('explain', who)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^object {2}\(no longer in the source\)/m)
      expect(r.stdout).toMatch(/linked: id \S+, disabled/)
      expect(r.stdout).toMatch(/next sync: nothing: already disabled/)
    }
    const moved = await w.cli('explain', 'erin.moved@example.com')
    expect(moved.code).toBe(0)
    expect(moved.stdout).toMatch(/not in scope/)
    expect(moved.stdout).toMatch(/linked: id \S+, disabled/)
    // a DN written with spaces after the commas is the same DN
    const spaced = await w.cli('explain', `CN=Filler P3, OU=People, ${BASE.replace(/,/g, ', ')}`)
    expect(spaced.code).toBe(0)
    expect(spaced.stdout).toMatch(/^scope {3}in scope/m)
  })
})
