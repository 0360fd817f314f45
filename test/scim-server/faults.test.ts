// The test SCIM server's fault injector (queued and seeded random 429/503/drops/delays) and the
// request log's Retry-After checks.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ScimServer, startScimServer } from '../support/scim-server/index.js'
import { client, ERROR_SCHEMA } from './helpers.js'

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('deterministic faults', () => {
  it('failNext(n): 429 with Retry-After and a SCIM error body, nothing written', async () => {
    server.faults.failNext(2, { status: 429, retryAfterSeconds: 3 })
    for (let i = 0; i < 2; i++) {
      const r = await api.post('/Users', { userName: 'throttled' })
      expect(r.status).toBe(429)
      expect(r.headers.get('retry-after')).toBe('3')
      expect(r.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' })
    }
    expect(server.store.userCount).toBe(0)
    expect(server.faults.pending()).toBe(0)
    expect((await api.post('/Users', { userName: 'throttled' })).status).toBe(201)
    expect(server.requests.all().map((r) => [r.status, r.retryAfter, r.fault])).toEqual([
      [429, 3, 'status'],
      [429, 3, 'status'],
      [201, undefined, undefined],
    ])
    // the recorded body of the throttled POST is available for "retried with the same body" checks
    expect(server.requests.all()[0]?.body).toEqual({ userName: 'throttled' })
  })

  it('503, with and without Retry-After', async () => {
    server.faults.failNext(1, { status: 503 }).failNext(1, { status: 503, retryAfterSeconds: 2 })
    const a = await api.get('/Users')
    expect(a.status).toBe(503)
    expect(a.headers.get('retry-after')).toBeNull()
    expect(a.body.status).toBe('503')
    const b = await api.get('/Users')
    expect(b.status).toBe(503)
    expect(b.headers.get('retry-after')).toBe('2')
    expect((await api.get('/Users')).status).toBe(200)
  })

  it('match limits a fault to a method/path', async () => {
    const g = server.store.seedGroup({ displayName: 'G' })
    server.faults.failNext(1, { status: 503, match: { method: 'PATCH', path: '/Groups' } })
    expect((await api.get(`/Groups/${g.id}`)).status).toBe(200)
    expect(
      (await api.patch(`/Groups/${g.id}`, [{ op: 'replace', path: 'displayName', value: 'H' }])).status,
    ).toBe(503)
    expect(
      (await api.patch(`/Groups/${g.id}`, [{ op: 'replace', path: 'displayName', value: 'H' }])).status,
    ).toBe(200)
  })

  it('dropNextWrite: the POST is applied, the client gets a network error, a blind retry gets 409', async () => {
    server.faults.dropNextWrite(1)
    await expect(api.post('/Users', { userName: 'ghost', externalId: 'x-1' })).rejects.toThrow()
    expect(server.store.userByUserName('ghost')?.externalId).toBe('x-1')
    const rec = server.requests.last()
    expect(rec).toMatchObject({
      method: 'POST',
      dropped: true,
      statusBeforeDrop: 201,
      fault: 'drop-after-write',
    })
    expect(rec?.status).toBeUndefined()
    expect(rec?.created).toHaveLength(1)

    const retry = await api.post('/Users', { userName: 'ghost', externalId: 'x-1' })
    expect(retry.status).toBe(409)
    expect(retry.body.scimType).toBe('uniqueness')
    // the recovery path: look it up by externalId
    const found = await api.get(`/Users?filter=${encodeURIComponent('externalId eq "x-1"')}`)
    expect(found.body.Resources[0].id).toBe(rec?.created[0])
  })

  it('dropNext: the request is dropped before it is applied', async () => {
    server.faults.dropNext(1, { match: { method: 'POST' } })
    await expect(api.post('/Users', { userName: 'never' })).rejects.toThrow()
    expect(server.store.userCount).toBe(0)
    expect(server.requests.last()).toMatchObject({ dropped: true, fault: 'drop' })
  })

  it('delayNext and delayMs slow responses down', async () => {
    server.faults.delayNext(1, 200)
    let t = performance.now()
    expect((await api.get('/Users')).status).toBe(200)
    expect(performance.now() - t).toBeGreaterThanOrEqual(195)
    expect(server.requests.last()).toMatchObject({ fault: 'delay', delayedMs: 200 })

    server.faults.configure({ delayMs: 120 })
    t = performance.now()
    await api.get('/Users')
    expect(performance.now() - t).toBeGreaterThanOrEqual(115)
    server.faults.configure({ delayMs: 0 })
    t = performance.now()
    await api.get('/Users')
    expect(performance.now() - t).toBeLessThan(100)
  })
})

describe('random faults (seeded)', () => {
  async function outcomeSequence(s: ScimServer, n: number): Promise<number[]> {
    const c = client(s)
    const out: number[] = []
    for (let i = 0; i < n; i++) out.push((await c.get('/Users?count=1')).status)
    return out
  }

  it('rate429/rate503 are reproducible for a seed and differ across seeds', async () => {
    const cfg = { rate429: 0.25, retryAfterSeconds: 0, rate503: 0.15 }
    server.faults.configure({ ...cfg, seed: 42 })
    const a = await outcomeSequence(server, 60)
    server.faults.configure({ seed: 42 })
    const b = await outcomeSequence(server, 60)
    const other = await startScimServer({ seed: 7 })
    try {
      other.faults.configure(cfg)
      const c = await outcomeSequence(other, 60)
      expect(c).not.toEqual(a)
    } finally {
      await other.stop()
    }
    expect(b).toEqual(a)
    const n429 = a.filter((s) => s === 429).length
    const n503 = a.filter((s) => s === 503).length
    expect(n429).toBeGreaterThan(5)
    expect(n503).toBeGreaterThan(2)
    expect(n429 + n503 + a.filter((s) => s === 200).length).toBe(60)
    expect(server.requests.filter((r) => r.status === 429).every((r) => r.retryAfter === 0)).toBe(true)
    expect(server.requests.filter((r) => r.status === 503).every((r) => r.retryAfter === undefined)).toBe(
      true,
    )
    expect(server.requests.filter((r) => r.fault === 'status').every((r) => r.faultSource === 'random')).toBe(
      true,
    )
  })

  it('dropAfterWriteRate only hits writes of the configured methods', async () => {
    server.faults.configure({ dropAfterWriteRate: 1, seed: 3 })
    expect((await api.get('/Users')).status).toBe(200)
    await expect(api.post('/Users', { userName: 'w1' })).rejects.toThrow()
    expect(server.store.userCount).toBe(1)
    server.faults.configure({ dropAfterWriteRate: 0 })
    expect((await api.post('/Users', { userName: 'w2' })).status).toBe(201)
  })

  it('config.match scopes random faults', async () => {
    server.faults.configure({ rate503: 1, match: { path: '/Groups' } })
    expect((await api.get('/Users')).status).toBe(200)
    expect((await api.get('/Groups')).status).toBe(503)
  })

  it('reset() clears config, queue and reseeds', async () => {
    server.faults.configure({ rate429: 1 }).failNext(5)
    server.faults.reset()
    expect(server.faults.pending()).toBe(0)
    expect((await api.get('/Users')).status).toBe(200)
  })
})

describe('Retry-After compliance check', () => {
  it('flags a client that retries early and passes one that waits', async () => {
    // naive client: retries immediately
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 1 })
    await api.get('/Users')
    await api.get('/Users')
    const violations = server.requests.retryAfterViolations()
    expect(violations).toHaveLength(1)
    expect(violations[0]?.earlyByMs).toBeGreaterThan(500)

    // well-behaved client: honours Retry-After
    server.requests.clear()
    server.faults.failNext(2, { status: 429, retryAfterSeconds: 1 })
    let r = await api.get('/Users')
    while (r.status === 429) {
      await sleep(Number(r.headers.get('retry-after')) * 1000)
      r = await api.get('/Users')
    }
    expect(r.status).toBe(200)
    expect(server.requests.length).toBe(3)
    expect(server.requests.retryAfterViolations()).toEqual([])
    const [first, second, third] = server.requests.all()
    expect((second?.receivedAt ?? 0) - (first?.respondedAt ?? 0)).toBeGreaterThanOrEqual(995)
    expect((third?.receivedAt ?? 0) - (second?.respondedAt ?? 0)).toBeGreaterThanOrEqual(995)
  })
})
