// Pacing and retries for one target's requests: a token bucket (requestsPerSecond, burst),
// a cap on requests in flight (concurrency), and retries with exponential backoff and full
// jitter on 429, 502, 503, 504 and network failures. A Retry-After (seconds or HTTP date) is
// a floor: no retry, and after a 429 no request at all, is sent before it has passed.

import { isTlsFailure, networkCode, neverSent } from './errors.js'
import type { HttpResponse } from './http.js'

export interface PacingOptions {
  /** the token bucket's rate */
  requestsPerSecond: number
  /** requests in flight at most */
  concurrency: number
  /** requests that may leave at once after a quiet spell; default min(concurrency, ceil(requestsPerSecond)) */
  burst?: number
  /** tries per request, the first included; default 8 */
  maxAttempts?: number
  /** the first backoff's ceiling (full jitter: a random wait below it); default 500 ms */
  baseDelayMs?: number
  /** the backoff ceiling never grows past this; default 30 s */
  maxDelayMs?: number
  /** a longer Retry-After is not waited for: the request fails as throttled at once; default 5 min */
  maxRetryAfterMs?: number
  /** replaces Math.random (tests) */
  random?: () => number
}

/** Why a request is sent again, for the logging hook. */
export interface RetryEvent {
  attempt: number
  /** `429`, `503`, … or `network ECONNRESET` */
  reason: string
  delayMs: number
  /** true when every request of the target waits (a 429, or a Retry-After) */
  pause: boolean
}

/**
 * A request that changes something (a POST) failed in a way that leaves its outcome unknown:
 * no answer, or a gateway's 502/504. The caller finds out before sending it again.
 */
export class OutcomeUnknown extends Error {
  constructor(
    /** the network error, or null when a gateway answered */
    readonly failure: unknown,
    readonly response: HttpResponse | null,
  ) {
    super('the request may or may not have been applied', { cause: failure ?? undefined })
    this.name = 'OutcomeUnknown'
  }
}

/** Called with the status and Retry-After as soon as the head of the answer is in, before the body. */
export type HeadHook = (status: number, retryAfter: string | null) => void

export interface SendOptions {
  /** false for a request that must not be sent twice blindly (POST): see OutcomeUnknown */
  idempotent: boolean
  onRetry?: (e: RetryEvent) => void
}

const RETRYABLE = new Set([429, 502, 503, 504])

/** Retry-After in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null if absent or unreadable. */
export function parseRetryAfter(value: string | null, nowEpochMs: number = Date.now()): number | null {
  if (value === null) return null
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000)
  // an HTTP-date starts with the day's name (IMF-fixdate, and the obsolete RFC 850 and asctime forms)
  const at = /^[A-Za-z]{3}/.test(v) ? Date.parse(v) : Number.NaN
  return Number.isNaN(at) ? null : Math.max(0, at - nowEpochMs)
}

const monotonic = (): number => performance.now()

/** Wait until the monotonic clock reaches `deadline` (timers may fire a little early: check again). */
async function waitUntil(deadline: number): Promise<void> {
  for (let left = deadline - monotonic(); left > 0; left = deadline - monotonic())
    await new Promise<void>((r) => setTimeout(r, Math.ceil(left)))
}

const nextTurn = (): Promise<void> => new Promise<void>((r) => setImmediate(r))

export class Pacer {
  readonly maxAttempts: number
  readonly burst: number
  readonly #interval: number
  readonly #concurrency: number
  readonly #base: number
  readonly #maxDelay: number
  readonly #maxRetryAfter: number
  readonly #random: () => number
  /** GCRA: the theoretical arrival time of the next request (a token bucket of `burst`) */
  #tat = 0
  #inFlight = 0
  readonly #waiting: (() => void)[] = []
  /** no request leaves before this (monotonic ms): set by a 429 or a Retry-After */
  #pausedUntil = 0

  constructor(options: PacingOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be above 0')
    this.#interval = 1000 / options.requestsPerSecond
    this.#concurrency = Math.max(1, Math.floor(options.concurrency))
    this.burst = Math.max(
      1,
      options.burst ?? Math.min(this.#concurrency, Math.ceil(options.requestsPerSecond)),
    )
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8)
    this.#base = options.baseDelayMs ?? 500
    this.#maxDelay = options.maxDelayMs ?? 30_000
    this.#maxRetryAfter = options.maxRetryAfterMs ?? 300_000
    this.#random = options.random ?? Math.random
  }

  /** The full-jitter backoff before try `attempt + 1`: a random wait below min(max, base·2^(attempt-1)). */
  backoffMs(attempt: number): number {
    return Math.floor(this.#random() * Math.min(this.#maxDelay, this.#base * 2 ** (attempt - 1)))
  }

  /** Wait the backoff after a failed try (used by callers that retry on their own, such as create). */
  async backoff(attempt: number): Promise<void> {
    await waitUntil(monotonic() + this.backoffMs(attempt))
  }

  /**
   * Send a request, paced, retrying what can be retried. Resolves with the final answer: a
   * success, an error that is not retried (other 4xx), or a retryable one once the tries are
   * spent or its Retry-After is too long. Rejects with the last network failure once the tries
   * are spent, or with OutcomeUnknown for a request that is not idempotent.
   */
  async send(
    request: (onHead: HeadHook) => Promise<HttpResponse>,
    options: SendOptions,
  ): Promise<HttpResponse> {
    for (let attempt = 1; ; attempt++) {
      let response: HttpResponse
      let receivedAt = 0
      const onHead: HeadHook = (status, retryAfter) => {
        receivedAt = monotonic()
        // pause every request at once, before the body is read
        if (status === 429 || (RETRYABLE.has(status) && retryAfter !== null))
          this.#pauseFor(status, retryAfter, attempt)
      }
      await this.#acquire()
      try {
        response = await request(onHead)
      } catch (e) {
        if (!options.idempotent && !neverSent(e)) throw new OutcomeUnknown(e, null)
        if (attempt >= this.maxAttempts || isTlsFailure(e)) throw e
        const delayMs = this.backoffMs(attempt)
        options.onRetry?.({ attempt, reason: `network ${networkCode(e)}`, delayMs, pause: false })
        await waitUntil(monotonic() + delayMs)
        continue
      } finally {
        this.#release()
      }
      if (!RETRYABLE.has(response.status)) return response
      if (!options.idempotent && (response.status === 502 || response.status === 504))
        throw new OutcomeUnknown(null, response)
      const retryAfter = parseRetryAfter(response.retryAfter)
      if (attempt >= this.maxAttempts || (retryAfter !== null && retryAfter > this.#maxRetryAfter))
        return response
      const delayMs = retryAfter ?? this.backoffMs(attempt)
      options.onRetry?.({
        attempt,
        reason: String(response.status),
        delayMs,
        pause: response.status === 429 || retryAfter !== null,
      })
      // never before Retry-After, counted from when the answer arrived
      await waitUntil((receivedAt || monotonic()) + delayMs)
    }
  }

  /** The pause a 429 or a Retry-After imposes on every request of the target. */
  #pauseFor(status: number, header: string | null, attempt: number): void {
    const retryAfter = parseRetryAfter(header)
    if (retryAfter !== null && retryAfter > this.#maxRetryAfter) return
    const ms = retryAfter ?? (status === 429 ? this.backoffMs(attempt) : 0)
    this.#pausedUntil = Math.max(this.#pausedUntil, monotonic() + ms)
  }

  /** A place among the requests in flight, then a token, outside any pause. */
  async #acquire(): Promise<void> {
    if (this.#inFlight >= this.#concurrency) await new Promise<void>((r) => this.#waiting.push(r))
    else this.#inFlight++
    for (;;) {
      await waitUntil(this.#pausedUntil)
      await this.#token()
      // an answer read in this turn of the event loop may have paused everything: look again
      await nextTurn()
      if (monotonic() >= this.#pausedUntil) return
    }
  }

  /** GCRA: reserve the next slot, `burst` of them at once after a quiet spell. */
  async #token(): Promise<void> {
    const now = monotonic()
    this.#tat = Math.max(this.#tat, now)
    const at = this.#tat - (this.burst - 1) * this.#interval
    this.#tat += this.#interval
    await waitUntil(at)
  }

  #release(): void {
    const next = this.#waiting.shift()
    // hand the place over directly, so a newcomer cannot overtake the queue
    if (next) next()
    else this.#inFlight--
  }
}
