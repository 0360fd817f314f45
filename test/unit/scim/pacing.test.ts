// The pacer on its own, with scripted answers instead of a server: what is retried and what is
// not, Retry-After in both forms, the cap on requests in flight, and OutcomeUnknown for creates.
import { describe, expect, it } from 'vitest'
import type { HttpResponse } from '../../../src/connectors/scim/http.js'
import { OutcomeUnknown, Pacer, parseRetryAfter } from '../../../src/connectors/scim/pacing.js'

const answer = (status: number, retryAfter: string | null = null): HttpResponse => ({
  status,
  retryAfter,
  body: undefined,
})

function socketError(code: string): Error {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) })
}

/** A request function that plays `script` in order (an Error is thrown) and records each call's time. */
function scripted(script: (HttpResponse | Error)[]) {
  const calls: number[] = []
  const fn = async (onHead: (status: number, retryAfter: string | null) => void) => {
    calls.push(Date.now())
    const next = script.shift()
    if (!next) throw new Error('script exhausted')
    if (next instanceof Error) throw next
    onHead(next.status, next.retryAfter)
    return next
  }
  return { fn, calls }
}

const fast = { requestsPerSecond: 1000, concurrency: 4, baseDelayMs: 5, maxDelayMs: 20 }

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2025-03-01T10:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('1.5', now)).toBe(1500)
    expect(parseRetryAfter('Sat, 01 Mar 2025 10:00:07 GMT', now)).toBe(7000)
    expect(parseRetryAfter('Sat, 01 Mar 2025 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeNull()
    expect(parseRetryAfter('-1', now)).toBeNull()
    expect(parseRetryAfter(null, now)).toBeNull()
  })

  it('sends the retry no earlier than an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 1500).toUTCString()
    const { fn, calls } = scripted([answer(429, at), answer(200)])
    const res = await new Pacer(fast).send(fn, { idempotent: true })
    expect(res.status).toBe(200)
    expect(calls[1]).toBeGreaterThanOrEqual(Date.parse(at))
  })

  it('sends the retry no earlier than a delay-seconds Retry-After, on a 503 too', async () => {
    const { fn, calls } = scripted([answer(503, '1'), answer(200)])
    await new Pacer(fast).send(fn, { idempotent: true })
    expect((calls[1] as number) - (calls[0] as number)).toBeGreaterThanOrEqual(1000)
  })

  it('fails at once, as the last answer, when Retry-After is longer than maxRetryAfterMs', async () => {
    const { fn, calls } = scripted([answer(429, '3600')])
    const res = await new Pacer({ ...fast, maxRetryAfterMs: 60_000 }).send(fn, { idempotent: true })
    expect(res.status).toBe(429)
    expect(calls).toHaveLength(1)
  })
})

describe('retries', () => {
  it('retries 429, 502, 503, 504 and network failures, then answers', async () => {
    const { fn, calls } = scripted([
      answer(429),
      answer(502),
      answer(503),
      answer(504),
      socketError('ECONNRESET'),
      answer(201),
    ])
    const retries: string[] = []
    const res = await new Pacer(fast).send(fn, { idempotent: true, onRetry: (e) => retries.push(e.reason) })
    expect(res.status).toBe(201)
    expect(calls).toHaveLength(6)
    expect(retries).toEqual(['429', '502', '503', '504', 'network ECONNRESET'])
  })

  it.each([400, 401, 403, 404, 409, 412])('does not retry a %i', async (status) => {
    const { fn, calls } = scripted([answer(status), answer(200)])
    expect((await new Pacer(fast).send(fn, { idempotent: true })).status).toBe(status)
    expect(calls).toHaveLength(1)
  })

  it('stops after maxAttempts with the last answer, or the last network failure', async () => {
    const throttled = scripted([answer(429), answer(429), answer(429), answer(200)])
    expect(
      (await new Pacer({ ...fast, maxAttempts: 3 }).send(throttled.fn, { idempotent: true })).status,
    ).toBe(429)
    expect(throttled.calls).toHaveLength(3)
    const down = scripted([socketError('ECONNRESET'), socketError('ECONNRESET'), answer(200)])
    await expect(new Pacer({ ...fast, maxAttempts: 2 }).send(down.fn, { idempotent: true })).rejects.toThrow(
      'fetch failed',
    )
    expect(down.calls).toHaveLength(2)
  })

  it('hands a create whose outcome is unknown back to the caller instead of sending it again', async () => {
    for (const failure of [socketError('ECONNRESET'), answer(502), answer(504)]) {
      const { fn, calls } = scripted([failure, answer(201)])
      await expect(new Pacer(fast).send(fn, { idempotent: false })).rejects.toBeInstanceOf(OutcomeUnknown)
      expect(calls).toHaveLength(1)
    }
  })

  it('sends a create again when it was never sent (refused) or refused by 429 / 503', async () => {
    const { fn, calls } = scripted([socketError('ECONNREFUSED'), answer(429), answer(503), answer(201)])
    expect((await new Pacer(fast).send(fn, { idempotent: false })).status).toBe(201)
    expect(calls).toHaveLength(4)
  })

  it('does not retry an untrusted certificate', async () => {
    const { fn, calls } = scripted([socketError('SELF_SIGNED_CERT_IN_CHAIN'), answer(200)])
    await expect(new Pacer(fast).send(fn, { idempotent: true })).rejects.toThrow('fetch failed')
    expect(calls).toHaveLength(1)
  })

  it('draws full-jitter backoffs below min(maxDelayMs, baseDelayMs · 2^(attempt-1))', () => {
    const top = new Pacer({ ...fast, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 })
    expect([1, 2, 3, 4, 5, 6].map((a) => top.backoffMs(a))).toEqual([99, 199, 399, 799, 999, 999])
    expect(new Pacer({ ...fast, random: () => 0 }).backoffMs(4)).toBe(0)
  })
})

describe('pacing', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    const pacer = new Pacer({ requestsPerSecond: 10_000, concurrency: 3 })
    let inFlight = 0
    let most = 0
    const request = async () => {
      most = Math.max(most, ++inFlight)
      await new Promise((r) => setTimeout(r, 5))
      inFlight--
      return answer(200)
    }
    await Promise.all(Array.from({ length: 20 }, () => pacer.send(request, { idempotent: true })))
    expect(most).toBe(3)
  })

  it('lets `burst` requests through at once, then one per 1/requestsPerSecond', async () => {
    const pacer = new Pacer({ requestsPerSecond: 10, concurrency: 10, burst: 3 })
    const sent: number[] = []
    const request = async () => {
      sent.push(performance.now())
      return answer(200)
    }
    await Promise.all(Array.from({ length: 6 }, () => pacer.send(request, { idempotent: true })))
    const first = sent[0] as number
    const offsets = sent.map((t) => t - first)
    // the 4th, 5th and 6th wait for their tokens: 100, 200 and 300 ms after the burst
    for (const [i, min] of [
      [3, 100],
      [4, 200],
      [5, 300],
    ] as const)
      expect(offsets[i]).toBeGreaterThanOrEqual(min - 1)
  })
})
