// Paging through the test SCIM server: the Express 5 query pin and the ListResponse workarounds, with
// canaries that fail once scimmy / scimmy-routers fix the upstream bugs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import { type Body, client, LIST_SCHEMA } from './helpers.js'

const TOTAL = 250
let server: ScimServer
let api: ReturnType<typeof client>

function seed(s: ScimServer): void {
  for (let i = 1; i <= TOTAL; i++)
    s.store.seedUser({
      userName: `user${String(i).padStart(3, '0')}`,
      externalId: `ext-${i}`,
      active: i % 2 === 0,
    })
}

beforeAll(async () => {
  server = await startScimServer()
  api = client(server)
  seed(server)
})
afterAll(() => server.stop())

const ids = (b: Body): string[] => (b.Resources as Array<{ id: string }>).map((r) => r.id)

describe('paging with 250 users (scimmy-routers on Express 5, with the query pin)', () => {
  it('startIndex/count=100 returns pages of 100, 100, 50 covering every user once', async () => {
    const pages: Body[] = []
    for (const startIndex of [1, 101, 201]) {
      const r = await api.get(`/Users?startIndex=${startIndex}&count=100`)
      expect(r.status).toBe(200)
      expect(r.body.schemas).toEqual([LIST_SCHEMA])
      expect(r.body.totalResults).toBe(TOTAL)
      expect(r.body.startIndex).toBe(startIndex)
      pages.push(r.body)
    }
    expect(pages.map((p) => p.Resources.length)).toEqual([100, 100, 50])
    expect(pages.map((p) => p.Resources[0].userName)).toEqual(['user001', 'user101', 'user201'])
    const all = pages.flatMap(ids)
    expect(new Set(all).size).toBe(TOTAL)
    expect(all).toEqual(server.store.users().map((u) => u.id))
  })

  it('a client loop driven by totalResults terminates with every user (odd page size)', async () => {
    const seen: string[] = []
    let startIndex = 1
    let requests = 0
    for (;;) {
      const r = await api.get(`/Users?startIndex=${startIndex}&count=37`)
      requests++
      seen.push(...ids(r.body))
      startIndex += r.body.Resources.length
      if (r.body.Resources.length === 0 || startIndex > r.body.totalResults) break
    }
    expect(requests).toBe(Math.ceil(TOTAL / 37))
    expect(new Set(seen).size).toBe(TOTAL)
  })

  it('itemsPerPage echoes the requested count, even on a short last page (scimmy behaviour)', async () => {
    const r = await api.get('/Users?startIndex=201&count=100')
    expect(r.body.Resources).toHaveLength(50)
    expect(r.body.itemsPerPage).toBe(100)
  })

  it('edge cases: past the end, count=0, no count (server default 20)', async () => {
    const past = await api.get('/Users?startIndex=251&count=100')
    expect(past.body).toMatchObject({ totalResults: TOTAL, startIndex: 251, Resources: [] })
    const groups = await api.get('/Groups?startIndex=2')
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] })
    const zero = await api.get('/Users?count=0')
    expect(zero.body.totalResults).toBe(TOTAL)
    expect(zero.body.Resources).toEqual([])
    const dflt = await api.get('/Users')
    expect(dflt.body.Resources).toHaveLength(20)
    expect(dflt.body.totalResults).toBe(TOTAL)
  })

  it('paging composes with filter and sortBy', async () => {
    const r = await api.get(
      `/Users?filter=${encodeURIComponent('active eq true')}&sortBy=userName&sortOrder=descending&startIndex=11&count=10`,
    )
    expect(r.body.totalResults).toBe(125)
    expect(r.body.Resources).toHaveLength(10)
    expect(r.body.Resources[0].userName).toBe('user230')
  })

  it('POST /Users/.search pages correctly too (body parameters)', async () => {
    const r = await api.post('/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      startIndex: 101,
      count: 100,
    })
    expect(r.status).toBe(200)
    expect(r.body.Resources).toHaveLength(100)
    expect(r.body.Resources[0].userName).toBe('user101')
  })
})

describe('canary: scimmy 1.3.5 without the past-the-end workaround', () => {
  // If this starts failing, scimmy fixed ListResponse and `fixListPaging` can go.
  it('startIndex > totalResults returns the first page again', async () => {
    const raw = await startScimServer({ fixListPaging: false })
    try {
      seed(raw)
      const r = await client(raw).get('/Users?startIndex=251&count=100')
      expect(r.body.totalResults).toBe(TOTAL)
      expect(r.body.Resources).toHaveLength(100)
      expect(r.body.Resources[0].userName).toBe('user001')
    } finally {
      await raw.stop()
    }
  })
})

describe('canary: scimmy-routers 1.3.2 on Express 5 WITHOUT the query pin', () => {
  // If this starts failing, scimmy-routers fixed it upstream and `pinQuery` can go.
  it('loses startIndex and count: every page is the first 20 users', async () => {
    const broken = await startScimServer({ pinQuery: false })
    try {
      seed(broken)
      const c = client(broken)
      const firsts: string[] = []
      for (const startIndex of [1, 101, 201]) {
        const r = await c.get(`/Users?startIndex=${startIndex}&count=100`)
        expect(r.body.startIndex).toBe(1)
        expect(r.body.itemsPerPage).toBe(20)
        expect(r.body.Resources).toHaveLength(20)
        firsts.push(r.body.Resources[0].userName)
      }
      expect(firsts).toEqual(['user001', 'user001', 'user001'])
    } finally {
      await broken.stop()
    }
  })
})

describe('sparse page shaping (fixListPaging) matches a plain slice for every startIndex/count', () => {
  it('exhaustive over small totals, through scimmy read() directly', async () => {
    const { ScimStore } = await import('../support/scim-server/index.js')
    const SCIMMY = (await import('scimmy')).default
    const { declareScimResources } = await import('../support/scim-server/scimmy-setup.js')
    declareScimResources()
    for (const total of [0, 1, 2, 3, 5, 8, 12]) {
      const store = new ScimStore()
      for (let i = 0; i < total; i++) store.seedUser({ userName: `p${i}` })
      const names = store.users().map((u) => u.userName)
      const ctx = { store, record: undefined, fixListPaging: true }
      for (let startIndex = 1; startIndex <= total + 3; startIndex++) {
        for (let count = 0; count <= total + 2; count++) {
          const list = (await new SCIMMY.Resources.User(undefined, { startIndex, count }).read(
            ctx,
          )) as unknown as {
            totalResults: number
            Resources: Array<{ userName: string }>
          }
          const expected = names.slice(startIndex - 1, startIndex - 1 + count)
          const got = list.Resources.map((r) => r.userName)
          if (JSON.stringify(got) !== JSON.stringify(expected) || list.totalResults !== total)
            throw new Error(
              `total=${total} startIndex=${startIndex} count=${count}: got ${got} want ${expected}`,
            )
        }
      }
    }
  })

  it('makes deep pages cheap: a page of 100 out of 250 takes far less than coercing all 250', async () => {
    const t0 = performance.now()
    await api.get('/Users?startIndex=201&count=10')
    expect(performance.now() - t0).toBeLessThan(1000)
  })
})
