// Active Directory (a real Samba AD DC) → SCIM 2.0 (a real scimmy server), end to end
// through the CLI: a full sync of users and nested groups, every kind of change carried
// by one delta sync, a second run that writes nothing, OU renames, the guard, a source
// cut in the middle of a read, throttling, kill -9 during apply, --watch, first contact.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Attribute, Change, type Client } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CLI } from '../support/cli.js'
import { adminClient, samba, sambaSkipReason, TestOu } from '../support/samba.js'
import type { SambaEnv } from '../support/samba-env.js'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import {
  idsync,
  type SyncSetup,
  scimGroups,
  scimUsers,
  secrets,
  writeSyncConfig,
} from '../support/sync-env.js'
import { startRelay } from '../support/tcp-relay.js'

const env = samba()
const D = 'corp.example.com'
const BIG = 300

describe.skipIf(!env)(`sync AD → SCIM (${env ? 'Samba + scimmy' : sambaSkipReason()})`, () => {
  const e = env as SambaEnv
  let client: Client
  let ou: TestOu
  let outside: TestOu
  let staff: string
  let groups: string
  let server: ScimServer
  let setup: SyncSetup
  const guid = new Map<string, string>()

  async function anchorOf(dn: string): Promise<string> {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      attributes: ['objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    })
    return Buffer.from(searchEntries[0]?.objectGUID as Buffer).toString('base64')
  }
  const modify = (
    dn: string,
    type: string,
    values: string[],
    operation: 'replace' | 'add' | 'delete' = 'replace',
  ) => client.modify(dn, new Change({ operation, modification: new Attribute({ type, values }) }))
  /** the users of the first target still in scope (dan moved out, eve was deleted) */
  const inScope = (users: Map<string, Record<string, unknown>>) =>
    new Map([...users].filter(([a]) => a !== guid.get('dan') && a !== guid.get('eve')))
  const userAttrs = (name: string, extra: Record<string, string> = {}) => ({
    sAMAccountName: name,
    userPrincipalName: `${name}@${D}`,
    givenName: name.slice(0, 1).toUpperCase() + name.slice(1),
    sn: 'Tester',
    displayName: `${name} Tester`,
    mail: `${name}@${D}`,
    title: 'Engineer',
    department: 'R&D',
    employeeID: `E-${name}`,
    // an enabled account (a new account without a password is created disabled)
    unicodePwd: Buffer.from('"Sync-Test-Pw-1"', 'utf16le'),
    userAccountControl: '512',
    ...extra,
  })

  beforeAll(async () => {
    client = await adminClient(e)
    ou = await new TestOu(client, e, 'SyncTest').create()
    outside = await new TestOu(client, e, 'SyncOutside').create()
    staff = await ou.addOu('Staff')
    groups = await ou.addOu('Groups')
    const boss = await ou.addUser('boss', userAttrs('boss'), staff)
    for (const n of ['ann', 'bob', 'cat', 'dan', 'eve'])
      await ou.addUser(n, userAttrs(n, { manager: boss }), staff)
    const bigOu = await ou.addOu('Many')
    const many: string[] = []
    for (let i = 0; i < BIG; i += 20) {
      many.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, (_, k) => ou.addUser(`m${i + k}`, userAttrs(`m${i + k}`), bigOu)),
        )),
      )
    }
    const team = await ou.addGroup(
      'Team',
      { displayName: 'Team', member: [`CN=ann,${staff}`, `CN=bob,${staff}`] },
      groups,
    )
    await ou.addGroup('All', { displayName: 'All', member: [team, `CN=cat,${staff}`] }, groups)
    await ou.addGroup('Big', { displayName: 'Big', member: many }, groups)
    for (const n of ['boss', 'ann', 'bob', 'cat', 'dan', 'eve'])
      guid.set(n, await anchorOf(`CN=${n},${staff}`))
    server = await startScimServer()
    setup = {
      dir: mkdtempSync(join(tmpdir(), 'idsync-sync-')),
      env: e,
      include: [ou.dn],
      servers: [{ name: 'app', server }],
    }
    writeSyncConfig(setup)
  }, 300_000)

  afterAll(async () => {
    await server?.stop()
    await ou?.remove()
    await outside?.remove()
    await client?.unbind()
  })

  it('makes a full sync of users (core + enterprise, manager) and nested groups', async () => {
    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.stderr).not.toMatch(/error/i)
    expect(r.code).toBe(0)
    const users = scimUsers(server)
    expect(users.size).toBe(6 + BIG)
    const boss = users.get(guid.get('boss') as string)
    expect(users.get(guid.get('ann') as string)).toMatchObject({
      userName: `ann@${D}`,
      active: true,
      givenName: 'Ann',
      familyName: 'Tester',
      displayName: 'ann Tester',
      title: 'Engineer',
      department: 'R&D',
      employeeNumber: 'E-ann',
      manager: boss?.id,
      email: `ann@${D}`,
    })
    const g = scimGroups(server)
    const id = (n: string) => users.get(guid.get(n) as string)?.id as string
    expect(g.get('Team')?.members).toEqual([id('ann'), id('bob')].sort())
    expect(g.get('All')?.members).toEqual([g.get('Team')?.id as string, id('cat')].sort())
    expect(g.get('Big')?.members).toHaveLength(BIG)
  })

  it('writes nothing on a second run over an unchanged directory', async () => {
    const before = server.requests.writes().length
    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.code).toBe(0)
    expect(server.requests.writes().length).toBe(before)
  })

  it('carries each kind of change with one delta sync, member by member', async () => {
    const users = scimUsers(server)
    const annId = users.get(guid.get('ann') as string)?.id
    await modify(`CN=ann,${staff}`, 'title', ['Architect'])
    await modify(`CN=bob,${staff}`, 'sAMAccountName', ['robert'])
    await modify(`CN=bob,${staff}`, 'userPrincipalName', [`robert@${D}`])
    await modify(`CN=cat,${staff}`, 'userAccountControl', ['514'])
    await client.modifyDN(`CN=dan,${staff}`, `CN=dan,${outside.dn}`)
    await client.del(`CN=eve,${staff}`)
    await modify(`CN=Big,${groups}`, 'member', [`CN=boss,${staff}`], 'add')
    await modify(`CN=Big,${groups}`, 'member', [`CN=m7,OU=Many,${ou.dn}`], 'delete')
    server.requests.clear()

    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/"mode":"delta"/)
    const after = scimUsers(server)
    expect(after.get(guid.get('ann') as string)).toMatchObject({ id: annId, title: 'Architect' })
    expect(after.get(guid.get('bob') as string)).toMatchObject({
      id: users.get(guid.get('bob') as string)?.id,
      userName: `robert@${D}`,
      active: true,
    })
    expect(after.get(guid.get('cat') as string)).toMatchObject({ active: false })
    expect(after.get(guid.get('dan') as string)).toMatchObject({ active: false })
    expect(after.get(guid.get('eve') as string)).toMatchObject({ active: false })
    expect(after.size).toBe(users.size)
    // one changed attribute: one PATCH; one member in a 300-member group: one PATCH with one member
    const bigId = scimGroups(server).get('Big')?.id
    const bigPatches = server.requests.matching('PATCH', `/Groups/${bigId}`)
    expect(bigPatches.map((p) => [p.membersAdded, p.membersRemoved]).sort()).toEqual([
      [0, 1],
      [1, 0],
    ])
    expect(server.requests.matching('PATCH', `/Users/${annId}`)).toHaveLength(1)
    expect(server.requests.writes().every((w) => w.method === 'PATCH')).toBe(true)
    // a user disabled in AD stays a member; users that left the scope leave their groups
    const all = scimGroups(server).get('All')?.members
    expect(all).toContain(after.get(guid.get('cat') as string)?.id)
  })

  it('follows a renamed OU: same objects, new DNs, no removal', async () => {
    await client.modifyDN(staff, `OU=People,${ou.dn}`)
    staff = `OU=People,${ou.dn}`
    const writes = server.requests.writes().length
    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.code).toBe(0)
    expect(server.requests.writes().length).toBe(writes)
    const ex = await idsync(setup, ['explain', '--config', 'idsync.yaml', `ann@${D}`])
    expect(ex.stdout).toContain(`object  CN=ann,OU=People,${ou.dn}`)
    expect(ex.stdout).toContain('next sync: nothing (in step)')
  })

  it('stops, with exit 3 and nothing written, a move that would remove more than the threshold', async () => {
    await client.modifyDN(`OU=Many,${ou.dn}`, `OU=Many,${outside.dn}`)
    const writes = server.requests.writes().length
    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('GUARD: this plan is stopped; nothing of it is written')
    expect(r.stdout).toMatch(/300 disables, more than guard\.maxDisables \(50\)/)
    expect(server.requests.writes().length).toBe(writes)
    // put it back: nothing to do
    await client.modifyDN(`OU=Many,${outside.dn}`, `OU=Many,${ou.dn}`)
    const back = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(back.code).toBe(0)
    expect(server.requests.writes().length).toBe(writes)
  })

  it('lets a stopped plan through once that exact plan is approved, and refuses a saved plan that no longer holds', async () => {
    await client.modifyDN(`OU=Many,${ou.dn}`, `OU=Many,${outside.dn}`)
    const saved = await idsync(setup, [
      'plan',
      '--config',
      'idsync.yaml',
      '--target',
      'app',
      '--out',
      'plan.json',
    ])
    expect(saved.code).toBe(3)
    // the source changes after the plan was saved: one of the users it disables is back
    await client.modifyDN(`CN=m3,OU=Many,${outside.dn}`, `CN=m3,${staff}`)
    const refused = await idsync(setup, ['sync', '--config', 'idsync.yaml', '--plan', 'plan.json'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('the saved plan no longer holds, nothing was written')
    // a fresh plan, approved, goes through; the guard still stops an unapproved one
    expect(
      (await idsync(setup, ['plan', '--config', 'idsync.yaml', '--target', 'app', '--out', 'plan.json']))
        .code,
    ).toBe(3)
    const approve = await idsync(setup, [
      'approve',
      '--config',
      'idsync.yaml',
      'plan.json',
      '--operator',
      'tester',
    ])
    expect(approve.stdout).toMatch(/^approved plan [0-9a-f]{32} for target "app"/)
    const applied = await idsync(setup, ['sync', '--config', 'idsync.yaml', '--plan', 'plan.json'])
    expect(applied.code).toBe(0)
    expect(
      [...scimUsers(server).values()].filter((u) => String(u.userName).startsWith('m') && u.active === false),
    ).toHaveLength(BIG - 1)
    // and back in scope: enabled again, nothing created twice
    await client.modifyDN(`OU=Many,${outside.dn}`, `OU=Many,${ou.dn}`)
    await client.modifyDN(`CN=m3,${staff}`, `CN=m3,OU=Many,${ou.dn}`)
    expect((await idsync(setup, ['sync', '--config', 'idsync.yaml'])).code).toBe(0)
    expect(
      [...scimUsers(server).values()].filter((u) => String(u.userName).startsWith('m') && u.active === true),
    ).toHaveLength(BIG)
    expect(server.store.users().filter((u) => String(u.userName).startsWith('m'))).toHaveLength(BIG)
  })

  it('keeps a group that left the scope untouched and lists it as orphaned', async () => {
    const extra = await ou.addGroup(
      'Leaving',
      { displayName: 'Leaving', member: [`CN=ann,${staff}`] },
      groups,
    )
    expect((await idsync(setup, ['sync', '--config', 'idsync.yaml'])).code).toBe(0)
    expect(scimGroups(server).get('Leaving')?.members).toHaveLength(1)
    await client.modifyDN(extra, `CN=Leaving,${outside.dn}`)
    const writes = server.requests.writes().length
    expect((await idsync(setup, ['sync', '--config', 'idsync.yaml'])).code).toBe(0)
    expect(server.requests.writes().length).toBe(writes)
    expect(scimGroups(server).get('Leaving')?.members).toHaveLength(1)
    const status = await idsync(setup, ['status', '--config', 'idsync.yaml'])
    expect(status.stdout).toContain('orphaned groups (left the scope, kept in the target): Leaving')
  })

  it('never writes secrets or attribute values to its logs', async () => {
    await modify(`CN=ann,${staff}`, 'title', ['Log Probe Title'])
    const r = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(r.code).toBe(0)
    const logs = r.stdout + r.stderr
    expect(logs).toMatch(/"msg":"applied"/)
    for (const secret of [e.password, server.token, 'Log Probe Title', `ann@${D}`])
      expect(logs).not.toContain(secret)
  })

  it('treats a renamed include base as a scope shrink (exit 3, naming the OU), not a read error', async () => {
    const sub = await ou.addOu('Narrow')
    await ou.addUser('nat', userAttrs('nat'), sub)
    const narrow: SyncSetup = { ...setup, include: [sub], store: './narrow.db' }
    writeSyncConfig(narrow, 'narrow.yaml')
    expect((await idsync(narrow, ['sync', '--config', 'narrow.yaml'])).code).toBe(0)
    await client.modifyDN(sub, `OU=Renamed,${ou.dn}`)
    const writes = server.requests.writes().length
    const r = await idsync(narrow, ['sync', '--config', 'narrow.yaml'])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain(`the include base ${sub} does not exist (was the OU renamed or moved?)`)
    expect(server.requests.writes().length).toBe(writes)
  })

  it('keeps stopping removals after a scope change until a sync applies the new scope (plan and dry run do not)', async () => {
    const fresh = await startScimServer()
    try {
      const s: SyncSetup = { ...setup, servers: [{ name: 'scoped', server: fresh }], store: './scoped.db' }
      writeSyncConfig(s, 'scoped.yaml')
      expect((await idsync(s, ['sync', '--config', 'scoped.yaml'])).code).toBe(0)
      // the admin narrows the scope: the users of OU=People leave it
      writeSyncConfig({ ...s, exclude: [staff] }, 'scoped.yaml')
      for (const args of [['plan'], ['plan'], ['sync', '--dry-run'], ['sync']]) {
        const r = await idsync(s, [...args, '--config', 'scoped.yaml'])
        expect(r.code, args.join(' ')).toBe(3)
        expect(r.stdout).toContain('the scope changed since the last sync')
      }
      const writes = fresh.requests.writes().length
      const allowed = await idsync(s, ['sync', '--config', 'scoped.yaml', '--allow-deletes'])
      expect(allowed.code).toBe(0)
      expect(fresh.requests.writes().length).toBeGreaterThan(writes)
      expect((await idsync(s, ['plan', '--config', 'scoped.yaml'])).code).toBe(0)
    } finally {
      await fresh.stop()
    }
  })

  it('keeps the same target object when the anchor changes (mS-DS-ConsistencyGuid set later)', async () => {
    const before = scimUsers(server).get(guid.get('ann') as string)
    const consistency = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
    await client.modify(
      `CN=ann,${staff}`,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'mS-DS-ConsistencyGuid', values: [consistency] }),
      }),
    )
    server.requests.clear()
    expect((await idsync(setup, ['sync', '--config', 'idsync.yaml'])).code).toBe(0)
    guid.set('ann', consistency.toString('base64'))
    const now = scimUsers(server).get(consistency.toString('base64'))
    expect(now?.id).toBe(before?.id)
    // one PATCH of the same object (its externalId), no create, no delete
    expect(
      server.requests
        .writes()
        .filter((w) => w.path === `/Users/${before?.id}`)
        .map((w) => w.method),
    ).toEqual(['PATCH'])
    expect(server.requests.writes().filter((w) => w.method === 'DELETE')).toEqual([])
    expect(server.store.users().filter((u) => u.userName === now?.userName)).toHaveLength(1)
  })

  it('asks the server to judge a filter it alone can evaluate, on deltas too', async () => {
    const fresh = await startScimServer()
    try {
      const s: SyncSetup = {
        ...setup,
        servers: [{ name: 'enabled', server: fresh }],
        store: './enabled.db',
        filter: '(!(userAccountControl:1.2.840.113556.1.4.803:=2))',
      }
      writeSyncConfig(s, 'enabled.yaml')
      expect((await idsync(s, ['sync', '--config', 'enabled.yaml'])).code).toBe(0)
      const users = scimUsers(fresh)
      expect(users.has(guid.get('cat') as string)).toBe(false) // disabled in AD: out of this scope
      expect(users.get(guid.get('boss') as string)?.active).toBe(true)
      await modify(`CN=boss,${staff}`, 'userAccountControl', ['514'])
      const r = await idsync(s, ['sync', '--config', 'enabled.yaml'])
      expect(r.code).toBe(0)
      expect(r.stderr).toMatch(/"mode":"delta"/)
      expect(scimUsers(fresh).get(guid.get('boss') as string)?.active).toBe(false)
      await modify(`CN=boss,${staff}`, 'userAccountControl', ['512'])
    } finally {
      await fresh.stop()
    }
  })

  it('sees an object moved out of an OU base DN leave, though it leaves no tombstone', async () => {
    const fresh = await startScimServer()
    try {
      const s: SyncSetup = {
        ...setup,
        include: [],
        baseDN: ou.dn,
        servers: [{ name: 'based', server: fresh }],
        store: './based.db',
      }
      writeSyncConfig(s, 'based.yaml')
      expect((await idsync(s, ['sync', '--config', 'based.yaml'])).code).toBe(0)
      const fred = await ou.addUser('fred', userAttrs('fred'), staff)
      expect((await idsync(s, ['sync', '--config', 'based.yaml'])).code).toBe(0)
      const anchor = await anchorOf(fred)
      expect(scimUsers(fresh).get(anchor)?.active).toBe(true)
      await client.modifyDN(fred, `CN=fred,${outside.dn}`)
      expect((await idsync(s, ['sync', '--config', 'based.yaml'])).code).toBe(0)
      expect(scimUsers(fresh).get(anchor)?.active).toBe(false)
    } finally {
      await fresh.stop()
    }
  })

  it('plans nothing and deletes nothing when the LDAP server goes away in the middle of a read', async () => {
    const relay = await startRelay(636)
    try {
      const cut: SyncSetup = { ...setup, url: `ldaps://127.0.0.1:${relay.port}` }
      writeSyncConfig(cut, 'cut.yaml')
      relay.cutAfter = 60_000 // bytes: well into the full read of 300+ users
      const writes = server.requests.writes().length
      const r = await idsync(cut, ['sync', '--config', 'cut.yaml', '--full'])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/connection|lost|failed/i)
      expect(server.requests.writes().length).toBe(writes)
      expect([...scimUsers(server).values()].filter((u) => u.active === true).length).toBeGreaterThan(BIG)
    } finally {
      await relay.stop()
    }
  })

  it('applies correctly through 20 % 429s (Retry-After honoured) and 5 % 503s', async () => {
    const flaky = await startScimServer()
    try {
      flaky.faults.configure({ seed: 7, rate429: 0.2, retryAfterSeconds: 1, rate503: 0.05 })
      const s: SyncSetup = { ...setup, servers: [{ name: 'flaky', server: flaky }], store: './flaky.db' }
      writeSyncConfig(s, 'flaky.yaml')
      const r = await idsync(s, ['sync', '--config', 'flaky.yaml'])
      expect(r.code).toBe(0)
      flaky.faults.reset()
      const ok = inScope(scimUsers(server))
      const got = scimUsers(flaky)
      expect(got.size).toBe(ok.size)
      for (const [anchor, u] of ok)
        expect({ ...got.get(anchor), id: undefined, manager: undefined }).toEqual({
          ...u,
          id: undefined,
          manager: undefined,
        })
      const throttled = flaky.requests.all().filter((q) => q.status === 429)
      expect(throttled.length).toBeGreaterThan(10)
      // every retry of a throttled request came after its Retry-After
      const early = throttled.flatMap((t) =>
        flaky.requests
          .all()
          .filter(
            (r) =>
              r.seq > t.seq &&
              r.method === t.method &&
              r.path === t.path &&
              JSON.stringify(r.body) === JSON.stringify(t.body),
          )
          .slice(0, 1)
          .filter((r) => r.receivedAt < (t.respondedAt as number) + (t.retryAfter as number) * 1000 - 5),
      )
      expect(early).toEqual([])
    } finally {
      await flaky.stop()
    }
  }, 300_000)

  it('after kill -9 at random points during apply, ten times, a normal run leaves the exact state without duplicates', async () => {
    const victim = await startScimServer()
    try {
      victim.faults.configure({ seed: 3, delayMs: 5 })
      const s: SyncSetup = { ...setup, servers: [{ name: 'victim', server: victim }], store: './victim.db' }
      writeSyncConfig(s, 'victim.yaml')
      let seed = 12345
      const rand = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648
        return seed / 2147483648
      }
      for (let k = 0; k < 10; k++) {
        const writesBefore = victim.requests.writes().length
        const killAt = writesBefore + 5 + Math.floor(rand() * 40)
        const child = spawn(process.execPath, [CLI, 'sync', '--config', 'victim.yaml'], {
          cwd: s.dir,
          env: { ...process.env, ...secrets(s) },
          stdio: 'ignore',
        })
        const done = new Promise((r) => child.on('close', r))
        while (child.exitCode === null && victim.requests.writes().length < killAt)
          await new Promise((r) => setTimeout(r, 5))
        child.kill('SIGKILL')
        await done
      }
      victim.faults.reset()
      const r = await idsync(s, ['sync', '--config', 'victim.yaml'])
      expect(r.code).toBe(0)
      const ok = inScope(scimUsers(server))
      const got = scimUsers(victim)
      expect(victim.store.users()).toHaveLength(ok.size)
      expect(new Set(victim.store.users().map((u) => u.externalId)).size).toBe(ok.size)
      for (const [anchor, u] of ok)
        expect({ ...got.get(anchor), id: undefined, manager: undefined }).toEqual({
          ...u,
          id: undefined,
          manager: undefined,
        })
      const want = new Map([...scimGroups(server)].filter(([name]) => name !== 'Leaving'))
      const have = scimGroups(victim)
      expect(victim.store.groups()).toHaveLength(want.size)
      for (const [name, g] of want) expect(have.get(name)?.members.length).toBe(g.members.length)
      // and one more run writes nothing
      const writes = victim.requests.writes().length
      expect((await idsync(s, ['sync', '--config', 'victim.yaml'])).code).toBe(0)
      expect(victim.requests.writes().length).toBe(writes)
    } finally {
      await victim.stop()
    }
  }, 600_000)

  it('links what a non-empty target already holds on first contact instead of duplicating it', async () => {
    const existing = await startScimServer()
    try {
      existing.store.seedUser({ userName: `ann@${D}`, displayName: 'Ann (made by hand)', active: true })
      const s: SyncSetup = {
        ...setup,
        servers: [{ name: 'existing', server: existing, extra: 'match: anchor-then-userName' }],
        store: './existing.db',
      }
      writeSyncConfig(s, 'existing.yaml')
      const plan = await idsync(s, [
        'plan',
        '--config',
        'existing.yaml',
        '--target',
        'existing',
        '--format',
        'json',
      ])
      const ops = JSON.parse(plan.stdout).ops as { op: string; anchor: string; via?: string }[]
      expect(ops.filter((o) => o.op === 'match')).toEqual([
        expect.objectContaining({ anchor: guid.get('ann'), via: 'userName' }),
      ])
      expect((await idsync(s, ['sync', '--config', 'existing.yaml'])).code).toBe(0)
      expect(existing.store.users().filter((u) => u.userName === `ann@${D}`)).toHaveLength(1)
      expect(existing.store.userByUserName(`ann@${D}`)?.externalId).toBe(guid.get('ann'))
    } finally {
      await existing.stop()
    }
  }, 300_000)

  it('creates again an object deleted by hand in the target, instead of failing on it forever', async () => {
    const bob = scimUsers(server).get(guid.get('bob') as string)
    server.store.deleteUser(bob?.id as string)
    await modify(`CN=bob,${staff}`, 'title', ['Recreated'])
    const first = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(first.code).toBe(1)
    expect(first.stdout).toMatch(
      /not-found .*the object is gone from the target; the next run creates it again/,
    )
    const second = await idsync(setup, ['sync', '--config', 'idsync.yaml'])
    expect(second.stdout).toBe('')
    expect(second.code).toBe(0)
    const again = scimUsers(server).get(guid.get('bob') as string)
    expect(again).toMatchObject({ title: 'Recreated' })
    expect(again?.id).not.toBe(bob?.id)
    // and its memberships come back with it
    expect(scimGroups(server).get('Team')?.members).toContain(again?.id)
  })

  it('sync --watch carries an AD change to the SCIM server within 60 s (default interval)', async () => {
    const child = spawn(process.execPath, [CLI, 'sync', '--config', 'idsync.yaml', '--watch'], {
      cwd: setup.dir,
      env: { ...process.env, ...secrets(setup) },
      stdio: 'ignore',
    })
    try {
      await new Promise((r) => setTimeout(r, 3000))
      const changed = Date.now()
      await modify(`CN=ann,${staff}`, 'title', ['Chief Architect'])
      let seen = 0
      while (Date.now() - changed < 60_000) {
        if (scimUsers(server).get(guid.get('ann') as string)?.title === 'Chief Architect') {
          seen = Date.now() - changed
          break
        }
        await new Promise((r) => setTimeout(r, 250))
      }
      expect(seen).toBeGreaterThan(0)
    } finally {
      const closed = new Promise((r) => child.on('close', r))
      child.kill('SIGTERM')
      await closed
    }
  }, 90_000)
})
