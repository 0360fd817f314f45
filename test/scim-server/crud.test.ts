// The test SCIM server's basics: auth, discovery, User/Group CRUD, filters, uniqueness, errors, Bulk
// and the request log, as a SCIM client sees them over HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import { client, ERROR_SCHEMA, EXT, GROUP_SCHEMA, LIST_SCHEMA, q, USER_SCHEMA } from './helpers.js'

let server: ScimServer
let api: ReturnType<typeof client>

beforeAll(async () => {
  server = await startScimServer()
  api = client(server)
})
afterAll(() => server.stop())
beforeEach(() => {
  server.store.clear()
  server.requests.clear()
  server.faults.reset()
})

describe('server basics', () => {
  it('listens on 127.0.0.1, ephemeral port, /scim/v2', () => {
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/scim/v2`)
    expect(server.token).toMatch(/^[0-9a-f]{32}$/)
  })

  it('401 with a SCIM error body without or with a wrong bearer token', async () => {
    for (const c of [client(server, ''), client(server, 'wrong')]) {
      const r = await c.get('/Users')
      expect(r.status).toBe(401)
      expect(r.headers.get('content-type')).toMatch(/application\/scim\+json/)
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(r.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' })
    }
    expect(server.requests.all().map((r) => r.status)).toEqual([401, 401])
  })

  it('serves discovery endpoints, advertising the enterprise extension on User', async () => {
    const spc = await api.get('/ServiceProviderConfig')
    expect(spc.status).toBe(200)
    expect(spc.body.patch.supported).toBe(true)
    expect(spc.body.filter.supported).toBe(true)
    const rt = await api.get('/ResourceTypes/User')
    expect(rt.status).toBe(200)
    expect(rt.body.schemaExtensions).toEqual([{ schema: EXT, required: false }])
    const schema = await api.get(`/Schemas/${EXT}`)
    expect(schema.status).toBe(200)
    expect(schema.body.attributes.map((a: { name: string }) => a.name)).toContain('employeeNumber')
  })

  it('SCIM 404 for unknown endpoints and resources', async () => {
    expect((await api.get('/Nope')).status).toBe(404)
    const r = await api.get('/Users/does-not-exist')
    expect(r.status).toBe(404)
    expect(r.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' })
  })

  it('400 invalidSyntax on malformed JSON', async () => {
    const res = await fetch(`${server.url}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
      body: '{"userName": ',
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      schemas: [ERROR_SCHEMA],
      status: '400',
      scimType: 'invalidSyntax',
    })
  })
})

describe('Users CRUD', () => {
  it('POST → GET → PUT → PATCH → DELETE', async () => {
    const created = await api.post('/Users', {
      schemas: [USER_SCHEMA],
      userName: 'alice@example.test',
      externalId: 'ad-guid-1',
      name: { givenName: 'Alice', familyName: 'Liddell' },
      emails: [{ value: 'alice@example.test', type: 'work', primary: true }],
      active: true,
    })
    expect(created.status).toBe(201)
    const id: string = created.body.id
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.body.meta).toMatchObject({
      resourceType: 'User',
      location: `${server.url}/Users/${id}`,
      version: 'W/"1"',
    })
    expect(Date.parse(created.body.meta.created)).not.toBeNaN()
    expect(created.body.meta.lastModified).toBe(created.body.meta.created)
    expect(server.store.getUser(id)?.externalId).toBe('ad-guid-1')
    expect(server.requests.last()?.created).toEqual([id])

    const got = await api.get(`/Users/${id}`)
    expect(got.status).toBe(200)
    expect(got.body).toMatchObject({
      id,
      userName: 'alice@example.test',
      externalId: 'ad-guid-1',
      active: true,
    })

    const put = await api.put(`/Users/${id}`, {
      schemas: [USER_SCHEMA],
      userName: 'alice@example.test',
      active: false,
    })
    expect(put.status).toBe(200)
    expect(put.body.active).toBe(false)
    expect(put.body.externalId).toBeUndefined() // PUT replaces
    expect(put.body.meta.version).toBe('W/"2"')
    expect(put.body.meta.created).toBe(created.body.meta.created)

    const patched = await api.patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: true }])
    expect(patched.status).toBe(200)
    expect(patched.body.active).toBe(true)
    expect(patched.body.meta.version).toBe('W/"3"')

    const deleted = await api.del(`/Users/${id}`)
    expect(deleted.status).toBe(204)
    expect((await api.get(`/Users/${id}`)).status).toBe(404)
    expect((await api.del(`/Users/${id}`)).status).toBe(404)
    expect(server.store.userCount).toBe(0)
  })

  it('409 uniqueness on a duplicate userName (case-insensitive), via POST, PUT and PATCH', async () => {
    await api.post('/Users', { userName: 'bob' })
    const other = await api.post('/Users', { userName: 'carol' })

    const dup = await api.post('/Users', { userName: 'BOB' })
    expect(dup.status).toBe(409)
    expect(dup.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '409',
      scimType: 'uniqueness',
      detail: expect.stringContaining('BOB'),
    })
    expect((await api.put(`/Users/${other.body.id}`, { userName: 'bob' })).status).toBe(409)
    const p = await api.patch(`/Users/${other.body.id}`, [{ op: 'replace', path: 'userName', value: 'bob' }])
    expect(p.status).toBe(409)
    expect(p.body.scimType).toBe('uniqueness')
    expect(server.store.userCount).toBe(2)
    // renaming to itself is fine
    expect((await api.put(`/Users/${other.body.id}`, { userName: 'Carol' })).status).toBe(200)
  })

  it('schema validation comes from scimmy', async () => {
    const missing = await api.post('/Users', { displayName: 'no userName' })
    expect(missing.status).toBe(400)
    expect(missing.body).toMatchObject({ status: '400', scimType: 'invalidValue' })
    const badType = await api.post('/Users', { userName: 'x', active: 'yes' })
    expect(badType.status).toBe(400)
    const wrongSchema = await api.post('/Users', { schemas: [GROUP_SCHEMA], userName: 'x' })
    expect(wrongSchema.status).toBe(400)
    expect(wrongSchema.body.scimType).toBe('invalidSyntax')
    // `schemas` is NOT required on input; unknown attributes are silently dropped
    const lax = await api.post('/Users', { userName: 'lax', favouriteColour: 'blue' })
    expect(lax.status).toBe(201)
    expect(lax.body.favouriteColour).toBeUndefined()
    expect(server.store.userCount).toBe(1)
  })

  it('lists users as a ListResponse and supports attributes=', async () => {
    server.store.seedUser({ userName: 'u1', displayName: 'One' })
    server.store.seedUser({ userName: 'u2', displayName: 'Two' })
    const r = await api.get('/Users?attributes=userName')
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 2, startIndex: 1 })
    expect(r.body.Resources).toHaveLength(2)
    expect(r.body.Resources[0].displayName).toBeUndefined()
    expect(r.body.Resources[0].id).toBeDefined()
  })
})

describe('Groups CRUD', () => {
  it('POST with members → GET → PUT → DELETE; user.groups reflects membership', async () => {
    const a = server.store.seedUser({ userName: 'a', displayName: 'Anna' })
    const b = server.store.seedUser({ userName: 'b' })
    const created = await api.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      externalId: 'grp-1',
      members: [{ value: a.id }, { value: b.id, type: 'User' }],
    })
    expect(created.status).toBe(201)
    const gid: string = created.body.id
    expect(created.body.members).toEqual([
      { value: a.id, display: 'Anna', type: 'User' },
      { value: b.id, display: 'b', type: 'User' },
    ])
    expect(server.requests.last()).toMatchObject({ membersAdded: 2, membersRemoved: 0 })

    const lean = await api.get(`/Groups/${gid}?excludedAttributes=members`)
    expect(lean.body.members).toBeUndefined()
    expect(lean.body.displayName).toBe('Engineering')

    const ua = await api.get(`/Users/${a.id}`)
    expect(ua.body.groups).toEqual([{ value: gid, display: 'Engineering', type: 'direct' }])

    const put = await api.put(`/Groups/${gid}`, { displayName: 'Engineering', members: [{ value: b.id }] })
    expect(put.status).toBe(200)
    expect(server.requests.last()).toMatchObject({ membersAdded: 0, membersRemoved: 1 })
    expect(server.store.memberIds(gid)).toEqual([b.id])

    // deleting a user drops it from groups
    await api.del(`/Users/${b.id}`)
    expect(server.store.memberIds(gid)).toEqual([])

    expect((await api.del(`/Groups/${gid}`)).status).toBe(204)
    expect((await api.get(`/Groups/${gid}`)).status).toBe(404)
  })

  it('400 for a member that does not exist; members are de-duplicated', async () => {
    const bad = await api.post('/Groups', { displayName: 'G', members: [{ value: 'nope' }] })
    expect(bad.status).toBe(400)
    expect(bad.body.scimType).toBe('invalidValue')
    const u = server.store.seedUser({ userName: 'u' })
    const g = await api.post('/Groups', { displayName: 'G', members: [{ value: u.id }, { value: u.id }] })
    expect(g.body.members).toHaveLength(1)
  })

  it('Bulk (scimmy) resolves bulkId references and is recorded like any write', async () => {
    const r = await api.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'bulk-user' } },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'g1',
          data: { displayName: 'Bulk', members: [{ value: 'bulkId:u1' }] },
        },
      ],
    })
    expect(r.status).toBe(200)
    expect(r.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201'])
    const user = server.store.userByUserName('bulk-user')
    const group = server.store.groupByDisplayName('Bulk')
    expect(group && server.store.memberIds(group.id)).toEqual([user?.id])
    expect(server.requests.last()).toMatchObject({ path: '/Bulk', membersAdded: 1 })
    expect(server.requests.last()?.created).toHaveLength(2)
  })

  it('group displayName is not unique by default, optionally unique', async () => {
    expect((await api.post('/Groups', { displayName: 'Dup' })).status).toBe(201)
    expect((await api.post('/Groups', { displayName: 'Dup' })).status).toBe(201)
    const strict = await startScimServer({ uniqueGroupDisplayName: true })
    try {
      const c = client(strict)
      expect((await c.post('/Groups', { displayName: 'Dup' })).status).toBe(201)
      const r = await c.post('/Groups', { displayName: 'dup' })
      expect(r.status).toBe(409)
      expect(r.body.scimType).toBe('uniqueness')
    } finally {
      await strict.stop()
    }
  })
})

describe('filters', () => {
  it('externalId eq (caseExact), userName eq (case-insensitive), displayName eq on groups', async () => {
    const a = server.store.seedUser({ userName: 'Alice@Example.test', externalId: 'GUID-A' })
    server.store.seedUser({ userName: 'bob@example.test', externalId: 'guid-a' })
    const g = server.store.seedGroup({ displayName: 'Sales Team', members: [{ value: a.id }] })
    server.store.seedGroup({ displayName: 'Support' })

    const byExt = await api.get(`/Users?${q('externalId eq "GUID-A"')}`)
    expect(byExt.body.totalResults).toBe(1)
    expect(byExt.body.Resources[0].id).toBe(a.id)

    const byName = await api.get(`/Users?${q('userName eq "alice@example.test"')}`)
    expect(byName.body.Resources.map((u: { id: string }) => u.id)).toEqual([a.id])

    const none = await api.get(`/Users?${q('externalId eq "nope"')}`)
    expect(none.status).toBe(200)
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] })

    const grp = await api.get(`/Groups?${q('displayName eq "sales team"')}`)
    expect(grp.body.Resources.map((x: { id: string }) => x.id)).toEqual([g.id])

    const byMember = await api.get(`/Groups?${q(`members[value eq "${a.id}"]`)}`)
    expect(byMember.body.Resources.map((x: { id: string }) => x.id)).toEqual([g.id])
  })

  it('sub-attribute, extension, logical and date filters', async () => {
    const a = server.store.seedUser({
      userName: 'a',
      emails: [{ value: 'a@x.test', type: 'work' }],
      [EXT]: { employeeNumber: '7', manager: { value: 'boss' } },
    })
    const b = server.store.seedUser({ userName: 'b', active: true })
    const ids = async (f: string) =>
      ((await api.get(`/Users?${q(f)}`)).body.Resources as Array<{ id: string }>).map((u) => u.id).sort()

    expect(await ids('emails.value eq "A@X.TEST"')).toEqual([a.id])
    expect(await ids('emails[type eq "work"].value ew "@x.test"')).toEqual([a.id])
    expect(await ids(`${EXT}:employeeNumber eq "7"`)).toEqual([a.id])
    expect(await ids(`${EXT}:manager.value eq "boss"`)).toEqual([a.id])
    expect(await ids('userName eq "a" or userName eq "b"')).toEqual([a.id, b.id].sort())
    expect(await ids('active eq true and userName sw "b"')).toEqual([b.id])
    expect(await ids('not (active pr)')).toEqual([a.id])
    expect(await ids('meta.lastModified gt "2000-01-01T00:00:00Z"')).toEqual([a.id, b.id].sort())
  })

  it('400 invalidFilter for a malformed filter (scimmy is lenient about some)', async () => {
    for (const f of ['userName xx "a"', '(userName eq "a"']) {
      const r = await api.get(`/Users?${q(f)}`)
      expect(r.status).toBe(400)
      expect(r.body.scimType).toBe('invalidFilter')
    }
    // scimmy's parser accepts these; they simply match nothing (documented limitation)
    server.store.seedUser({ userName: 'a' })
    for (const f of ['userName eq', 'bogus eq "x"']) {
      const r = await api.get(`/Users?${q(f)}`)
      expect(r.status).toBe(200)
      expect(r.body.totalResults).toBe(0)
    }
  })
})
