// PATCH on group members against the test SCIM server: add/remove forms, no-op PATCHes (204), and the
// per-request membership counts in the request log.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import { client } from './helpers.js'

let server: ScimServer
let api: ReturnType<typeof client>
let users: string[]
let gid: string

beforeAll(async () => {
  server = await startScimServer()
  api = client(server)
})
afterAll(() => server.stop())
beforeEach(() => {
  server.store.clear()
  users = Array.from({ length: 6 }, (_, i) => server.store.seedUser({ userName: `m${i}` }).id)
  gid = server.store.seedGroup({
    displayName: 'G',
    members: users.slice(0, 3).map((value) => ({ value })),
  }).id
  server.requests.clear()
})

const u = (i: number): string => users[i] as string
const patches = () => server.requests.matching('PATCH', `/Groups/${gid}`)

describe('PATCH group members', () => {
  it('add one member: one PATCH, one member added, nothing replaced', async () => {
    const r = await api.patch(`/Groups/${gid}`, [{ op: 'add', path: 'members', value: [{ value: u(3) }] }])
    expect(r.status).toBe(200)
    expect(r.body.members.map((m: { value: string }) => m.value)).toEqual([u(0), u(1), u(2), u(3)])
    expect(server.store.memberIds(gid)).toEqual([u(0), u(1), u(2), u(3)])
    expect(patches()).toHaveLength(1)
    expect(patches()[0]).toMatchObject({
      status: 200,
      membersAdded: 1,
      membersRemoved: 0,
      patchOps: [{ op: 'add', path: 'members' }],
      updated: [gid],
    })
  })

  it('remove one member by value filter path', async () => {
    const r = await api.patch(`/Groups/${gid}`, [{ op: 'remove', path: `members[value eq "${u(1)}"]` }])
    expect(r.status).toBe(200)
    expect(server.store.memberIds(gid)).toEqual([u(0), u(2)])
    expect(patches()[0]).toMatchObject({ membersAdded: 0, membersRemoved: 1 })
  })

  it('remove with path "members" and a value list (Okta/Entra style)', async () => {
    const r = await api.patch(`/Groups/${gid}`, [
      { op: 'remove', path: 'members', value: [{ value: u(0) }, { value: u(2) }] },
    ])
    expect(r.status).toBe(200)
    expect(server.store.memberIds(gid)).toEqual([u(1)])
    expect(patches()[0]).toMatchObject({ membersAdded: 0, membersRemoved: 2 })
  })

  it('several ops in one request; op names are case-insensitive', async () => {
    const r = await api.patch(`/Groups/${gid}`, [
      { op: 'Add', path: 'members', value: [{ value: u(3) }, { value: u(4) }] },
      { op: 'Remove', path: `members[value eq "${u(0)}"]` },
    ])
    expect(r.status).toBe(200)
    expect(server.store.memberIds(gid).sort()).toEqual([u(1), u(2), u(3), u(4)].sort())
    expect(patches()[0]).toMatchObject({ membersAdded: 2, membersRemoved: 1 })
  })

  it('replace members and remove all members', async () => {
    await api.patch(`/Groups/${gid}`, [
      { op: 'replace', path: 'members', value: [{ value: u(0) }, { value: u(5) }] },
    ])
    expect(server.store.memberIds(gid)).toEqual([u(0), u(5)])
    expect(patches()[0]).toMatchObject({ membersAdded: 1, membersRemoved: 2 })
    await api.patch(`/Groups/${gid}`, [{ op: 'remove', path: 'members' }])
    expect(server.store.memberIds(gid)).toEqual([])
    expect(patches()[1]).toMatchObject({ membersAdded: 0, membersRemoved: 2 })
  })

  it('renaming via PATCH keeps members', async () => {
    const r = await api.patch(`/Groups/${gid}`, [{ op: 'replace', path: 'displayName', value: 'G2' }])
    expect(r.status).toBe(200)
    expect(r.body.displayName).toBe('G2')
    expect(server.store.memberIds(gid)).toEqual([u(0), u(1), u(2)])
    expect(patches()[0]).toMatchObject({ membersAdded: 0, membersRemoved: 0 })
  })

  it('a PATCH that changes nothing answers 204 No Content (scimmy) and keeps meta.version', async () => {
    const before = server.store.getGroup(gid)?.meta.version
    const addExisting = await api.patch(`/Groups/${gid}`, [
      { op: 'add', path: 'members', value: [{ value: u(0) }] },
    ])
    expect(addExisting.status).toBe(204)
    expect(addExisting.body).toBeUndefined()
    const removeAbsent = await api.patch(`/Groups/${gid}`, [
      { op: 'remove', path: `members[value eq "${u(5)}"]` },
    ])
    expect(removeAbsent.status).toBe(204)
    expect(server.store.memberIds(gid)).toEqual([u(0), u(1), u(2)])
    expect(server.store.getGroup(gid)?.meta.version).toBe(before)
    expect(patches().map((p) => [p.membersAdded, p.membersRemoved])).toEqual([
      [0, 0],
      [0, 0],
    ])
  })

  it('errors: missing schemas, unknown member, unknown group, bad op', async () => {
    const noSchemas = await api.call('PATCH', `/Groups/${gid}`, {
      Operations: [{ op: 'add', path: 'members', value: [] }],
    })
    expect(noSchemas.status).toBe(400)
    expect(noSchemas.body.scimType).toBe('invalidSyntax')
    const unknown = await api.patch(`/Groups/${gid}`, [
      { op: 'add', path: 'members', value: [{ value: 'ghost' }] },
    ])
    expect(unknown.status).toBe(400)
    expect(unknown.body.scimType).toBe('invalidValue')
    expect(
      (await api.patch('/Groups/nope', [{ op: 'add', path: 'members', value: [{ value: u(0) }] }])).status,
    ).toBe(404)
    const badOp = await api.patch(`/Groups/${gid}`, [{ op: 'merge', path: 'members', value: [] }])
    expect(badOp.status).toBe(400)
    expect(server.store.memberIds(gid)).toEqual([u(0), u(1), u(2)])
  })
})
