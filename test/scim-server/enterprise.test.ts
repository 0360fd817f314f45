// The test SCIM server with the enterprise User extension: attributes survive POST/PUT/PATCH, can be
// filtered on, and the PATCH forms scimmy accepts and rejects for `manager`.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import { client, EXT, USER_SCHEMA } from './helpers.js'

let server: ScimServer
let api: ReturnType<typeof client>
let managerId: string

beforeAll(async () => {
  server = await startScimServer()
  api = client(server)
})
afterAll(() => server.stop())
beforeEach(() => {
  server.store.clear()
  managerId = server.store.seedUser({ userName: 'boss' }).id
})

async function createAlice(): Promise<string> {
  const r = await api.post('/Users', {
    schemas: [USER_SCHEMA, EXT],
    userName: 'alice',
    [EXT]: { department: 'Engineering', employeeNumber: 'E-42', manager: { value: managerId } },
  })
  expect(r.status).toBe(201)
  return r.body.id
}

describe('enterprise extension (urn:…:enterprise:2.0:User)', () => {
  it('department, employeeNumber and manager.value survive POST and come back on GET', async () => {
    const id = await createAlice()
    const got = await api.get(`/Users/${id}`)
    expect(got.body.schemas).toEqual([USER_SCHEMA, EXT])
    expect(got.body[EXT]).toEqual({
      department: 'Engineering',
      employeeNumber: 'E-42',
      manager: { value: managerId },
    })
    expect(server.store.getUser(id)?.[EXT]).toEqual({
      department: 'Engineering',
      employeeNumber: 'E-42',
      manager: { value: managerId },
    })
  })

  it('accepts the flattened "urn:…:User:attr" key form on POST', async () => {
    const r = await api.post('/Users', { userName: 'flat', [`${EXT}:department`]: 'Ops' })
    expect(r.status).toBe(201)
    expect((await api.get(`/Users/${r.body.id}`)).body[EXT]).toEqual({ department: 'Ops' })
  })

  it('survives PATCH with an extension path, keeping the other extension attributes', async () => {
    const id = await createAlice()
    const newBoss = server.store.seedUser({ userName: 'newboss' }).id
    const r = await api.patch(`/Users/${id}`, [
      { op: 'replace', path: `${EXT}:department`, value: 'Sales' },
      { op: 'replace', path: `${EXT}:manager`, value: { value: newBoss } },
    ])
    expect(r.status).toBe(200)
    const got = await api.get(`/Users/${id}`)
    expect(got.body[EXT]).toEqual({
      department: 'Sales',
      employeeNumber: 'E-42',
      manager: { value: newBoss },
    })
  })

  it('scimmy limitation: a "…:manager.value" PATCH path fails with 400 noTarget (use "…:manager")', async () => {
    const id = await createAlice()
    const r = await api.patch(`/Users/${id}`, [{ op: 'replace', path: `${EXT}:manager.value`, value: 'x' }])
    expect(r.status).toBe(400)
    expect(r.body.scimType).toBe('noTarget')
    // a user without any extension value: even "add" on manager.value fails; "…:manager" works
    const plain = server.store.seedUser({ userName: 'plain' }).id
    expect(
      (await api.patch(`/Users/${plain}`, [{ op: 'add', path: `${EXT}:manager.value`, value: 'x' }])).status,
    ).toBe(400)
    const ok = await api.patch(`/Users/${plain}`, [
      { op: 'add', path: `${EXT}:manager`, value: { value: managerId } },
    ])
    expect(ok.status).toBe(200)
    expect(ok.body[EXT]).toEqual({ manager: { value: managerId } })
    // Entra-style string value for manager is rejected too
    const str = await api.patch(`/Users/${plain}`, [
      { op: 'replace', path: `${EXT}:manager`, value: managerId },
    ])
    expect(str.status).toBe(400)
    expect(str.body.scimType).toBe('invalidValue')
  })

  it('survives PATCH without a path (value keyed by the extension URN) and an unrelated PATCH', async () => {
    const id = await createAlice()
    expect(
      (await api.patch(`/Users/${id}`, [{ op: 'replace', value: { [EXT]: { employeeNumber: 'E-43' } } }]))
        .status,
    ).toBe(200)
    expect(
      (await api.patch(`/Users/${id}`, [{ op: 'replace', path: 'displayName', value: 'Alice L.' }])).status,
    ).toBe(200)
    const got = await api.get(`/Users/${id}`)
    expect(got.body.displayName).toBe('Alice L.')
    expect(got.body[EXT]).toEqual({
      department: 'Engineering',
      employeeNumber: 'E-43',
      manager: { value: managerId },
    })
  })

  it('PATCH remove of one extension attribute; PUT without the extension drops it', async () => {
    const id = await createAlice()
    expect((await api.patch(`/Users/${id}`, [{ op: 'remove', path: `${EXT}:manager` }])).status).toBe(200)
    expect((await api.get(`/Users/${id}`)).body[EXT]).toEqual({
      department: 'Engineering',
      employeeNumber: 'E-42',
    })
    const put = await api.put(`/Users/${id}`, { userName: 'alice' })
    expect(put.status).toBe(200)
    expect(put.body[EXT]).toBeUndefined()
    expect(put.body.schemas).toEqual([USER_SCHEMA])
  })

  it('is filterable', async () => {
    const id = await createAlice()
    const r = await api.get(`/Users?filter=${encodeURIComponent(`${EXT}:manager.value eq "${managerId}"`)}`)
    expect(r.body.Resources.map((u: { id: string }) => u.id)).toEqual([id])
  })
})
