// The SCIM target against the test server's fault injector: throttling (429 + Retry-After, with
// a pause every request honours), 5xx, lost answers, the rate limit, and what is never retried.
// Assertions are about behaviour read from the server's request log, never about speed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ScimTarget, type ScimTargetOptions } from '../../../src/connectors/scim/target.js'
import { TargetError } from '../../../src/connectors/types.js'
import { type ScimServer, startScimServer } from '../../support/scim-server/index.js'

let server: ScimServer
const targets: ScimTarget[] = []

beforeAll(async () => {
  server = await startScimServer()
})
afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()))
  await server?.stop()
})
beforeEach(() => {
  server.store.clear()
  server.requests.clear()
  server.faults.reset()
})

function target(options: Partial<ScimTargetOptions> = {}): ScimTarget {
  const t = new ScimTarget({
    name: 'faults',
    url: server.url,
    token: server.token,
    rate: { requestsPerSecond: 100, concurrency: 4 },
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    ...options,
  })
  targets.push(t)
  return t
}

async function rejection(p: Promise<unknown>): Promise<TargetError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(TargetError)
  return e as TargetError
}

describe('SCIM target under faults', () => {
  it('reaches the right state through 20% 429 (Retry-After 1 s) and 5% 503, never before a Retry-After', async () => {
    // One request in flight: the server log counts a request that was already on its way when
    // the 429 went out as early, and no client can call that back. The pause is still what
    // holds back the queued requests (the next test has them concurrent).
    const t = target({
      rate: { requestsPerSecond: 50, concurrency: 1 },
      retry: { maxAttempts: 15, baseDelayMs: 20, maxDelayMs: 200 },
      memberChunkSize: 5,
    })
    server.faults.configure({ seed: 7, rate429: 0.2, retryAfterSeconds: 1, rate503: 0.05 })
    const users = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        t.create('user', { externalId: `a${i}`, userName: `u${i}@x.example` }),
      ),
    )
    const ids = users.map((u) => u.id)
    const g = await t.create('group', { externalId: 'g', displayName: 'All' }, ids)
    await Promise.all(ids.slice(0, 5).map((id) => t.update('user', id, { title: 'Changed' })))
    await Promise.all(ids.slice(12).map((id) => t.delete('user', id)))
    const listed: string[] = []
    for await (const u of t.list('user')) listed.push(u.id)

    const log = server.requests.all()
    expect(log.filter((r) => r.status === 429).length).toBeGreaterThan(0)
    expect(log.filter((r) => r.status === 503).length).toBeGreaterThan(0)
    expect(server.requests.retryAfterViolations()).toEqual([])
    expect(t.counts.retries).toBeGreaterThan(0)

    expect(server.store.userCount).toBe(12)
    expect(listed.sort()).toEqual(ids.slice(0, 12).sort())
    expect(
      server.store
        .users()
        .filter((u) => u.title === 'Changed')
        .map((u) => u.id)
        .sort(),
    ).toEqual(ids.slice(0, 5).sort())
    expect(server.store.memberIds(g.id).sort()).toEqual(ids.slice(0, 12).sort())
  }, 60_000)

  it('makes every request wait out a 429, not only the one that got it', async () => {
    const t = target({ rate: { requestsPerSecond: 100, concurrency: 4 } })
    server.store.seedUser({ userName: 'seed@x.example', externalId: 's' })
    server.faults.failNext(1, { status: 429, retryAfterSeconds: 1 })
    const first = t.findByExternalId('user', 's')
    await new Promise((r) => setTimeout(r, 200))
    const later = Promise.all([1, 2, 3].map(() => t.findByExternalId('user', 's')))
    expect((await first)?.externalId).toBe('s')
    expect((await later).map((u) => u?.externalId)).toEqual(['s', 's', 's'])
    const [throttled, ...rest] = server.requests.all()
    expect(throttled?.status).toBe(429)
    expect(rest).toHaveLength(4)
    for (const r of rest) expect(r.receivedAt).toBeGreaterThanOrEqual((throttled?.respondedAt ?? 0) + 1000)
  })

  it('does not create a duplicate when the answer to a create is lost', async () => {
    const t = target()
    server.faults.dropNextWrite(1)
    const u = await t.create('user', { externalId: 'lost', userName: 'lost@x.example' })
    expect(server.store.userCount).toBe(1)
    expect(u.id).toBe(server.store.userByExternalId('lost')?.id)
    expect(server.requests.all().map((r) => [r.method, r.path, r.dropped])).toEqual([
      ['POST', '/Users', true],
      ['GET', '/Users', false],
    ])

    server.faults.dropNextWrite(1)
    const g = await t.create('group', { externalId: 'lost-g', displayName: 'Lost' }, [u.id])
    expect(server.store.groupCount).toBe(1)
    expect(server.store.memberIds(g.id)).toEqual([u.id])
  })

  it('sends a create again when it was dropped before it was applied', async () => {
    const t = target()
    server.faults.dropNext(1, { match: { method: 'POST' } })
    const u = await t.create('user', { externalId: 'again', userName: 'again@x.example' })
    expect(server.store.userCount).toBe(1)
    expect(u.id).toBe(server.store.userByExternalId('again')?.id)
    expect(server.requests.all().map((r) => r.method)).toEqual(['POST', 'GET', 'POST'])
  })

  it('retries a read whose connection was dropped', async () => {
    const t = target()
    server.store.seedUser({ userName: 'r@x.example', externalId: 'r' })
    server.faults.dropNext(1, { match: { method: 'GET' } })
    expect((await t.findByExternalId('user', 'r'))?.externalId).toBe('r')
    expect(server.requests.all().map((r) => r.method)).toEqual(['GET', 'GET'])
  })

  it('keeps to requestsPerSecond + burst in every 1-second window', async () => {
    const rate = { requestsPerSecond: 20, concurrency: 8, burst: 5 }
    const t = target({ rate })
    server.store.seedUser({ userName: 'p@x.example', externalId: 'p' })
    await Promise.all(Array.from({ length: 60 }, () => t.findByExternalId('user', 'p')))
    const times = server.requests.all().map((r) => r.receivedAt)
    expect(times).toHaveLength(60)
    let busiest = 0
    for (const start of times)
      busiest = Math.max(busiest, times.filter((x) => x >= start && x < start + 1000).length)
    expect(busiest).toBeLessThanOrEqual(rate.requestsPerSecond + rate.burst)
  })

  it('does not retry a 400, a 404 or a 409', async () => {
    const t = target()
    const u = server.store.seedUser({ userName: 'v@x.example' })
    server.faults.failNext(1, { status: 400, detail: 'Bad value' })
    const e = await rejection(t.update('user', u.id, { title: 'x' }))
    expect(e).toMatchObject({ type: 'invalid', status: 400, targetMessage: 'Bad value' })
    expect((await rejection(t.update('user', 'missing', { title: 'x' }))).type).toBe('not-found')
    server.store.seedUser({ userName: 'taken@x.example' })
    expect((await rejection(t.create('user', { userName: 'taken@x.example' }))).type).toBe('duplicate')
    expect(server.requests.all().map((r) => [r.method, r.status])).toEqual([
      ['PATCH', 400],
      ['PATCH', 404],
      ['POST', 409],
    ])
  })

  it('gives up after maxAttempts: throttled for 429, server for 503', async () => {
    const t = target({ retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 } })
    server.faults.failNext(3, { status: 429, retryAfterSeconds: 0 })
    const e = await rejection(t.findByName('user', 'x@x.example'))
    expect(e).toMatchObject({ type: 'throttled', status: 429 })
    server.faults.failNext(3, { status: 503 })
    expect(await rejection(t.delete('user', 'x'))).toMatchObject({ type: 'server', status: 503 })
    expect(server.requests.all().map((r) => r.status)).toEqual([429, 429, 429, 503, 503, 503])
  })

  it('counts reads and writes, and logs requests without the token, filters or values', async () => {
    const events: unknown[] = []
    const t = target({ log: (e) => events.push(e) })
    const u = await t.create('user', {
      externalId: 'secret-anchor',
      userName: 'private@x.example',
      title: 'CEO',
    })
    await t.findByEmail('private@x.example')
    await t.update('user', u.id, { title: 'Chair' })
    expect(t.counts).toEqual({ reads: 1, writes: 2, retries: 0, throttled: 0 })
    const text = JSON.stringify(events)
    expect(events).toHaveLength(3)
    for (const secret of [server.token, 'secret-anchor', 'private', 'CEO', 'Chair', 'filter'])
      expect(text).not.toContain(secret)
  })

  it('refuses a server that ignores startIndex instead of reading page one forever', async () => {
    const broken = await startScimServer({ pinQuery: false })
    try {
      for (let i = 0; i < 30; i++) broken.store.seedUser({ userName: `p${i}@x.example` })
      const t = target({ url: broken.url, token: broken.token, pageSize: 10 })
      const seen: string[] = []
      const read = (async () => {
        for await (const u of t.list('user')) seen.push(u.id)
      })()
      const e = await rejection(read)
      expect(e.type).toBe('server')
      // it ignores count too: 20 a page
      expect(e.message).toContain('page 1 when asked for 21')
      expect(seen).toHaveLength(20)
    } finally {
      await broken.stop()
    }
  })
})
