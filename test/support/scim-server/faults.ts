// The test SCIM server's fault injector: 429/503 answers, dropped connections and delays, queued
// one-shot or drawn at random from a seeded PRNG, so a client's retry handling can be tested.
import { mulberry32 } from './prng.js'

export type FaultAction =
  /** Answer with this status and a SCIM error body without touching the store. */
  | { type: 'status'; status: number; retryAfterSeconds?: number | null; detail?: string }
  /** Apply the request normally, then destroy the socket instead of sending the response. */
  | { type: 'drop-after-write' }
  /** Destroy the socket without applying the request. */
  | { type: 'drop' }
  /** Wait, then apply and answer normally. */
  | { type: 'delay'; ms: number }

export interface FaultMatch {
  /** HTTP method(s), case-insensitive. */
  method?: string | readonly string[]
  /** Matched against the path relative to the SCIM base (e.g. "/Users", "/Groups/abc"); string = prefix. */
  path?: string | RegExp
}

export interface FaultConfig {
  seed: number
  /** Probability (0..1) of a 429 with a Retry-After header. */
  rate429: number
  /** Retry-After value (integer seconds) sent with random 429s; null = no header. */
  retryAfterSeconds: number | null
  /** Probability (0..1) of a 503. */
  rate503: number
  /** Retry-After value sent with random 503s; null (default) = no header. */
  retryAfter503Seconds: number | null
  /** Probability (0..1) that a write (see dropAfterWriteMethods) is applied and then its response dropped. */
  dropAfterWriteRate: number
  dropAfterWriteMethods: readonly string[]
  /** Delay added before handling each matching request. */
  delayMs: number | { min: number; max: number }
  /** Random faults and delayMs apply only to requests that fit this (default: every request). */
  match: FaultMatch | undefined
}

export interface FaultDecision {
  action?: FaultAction
  /** Total delay before handling (queued 'delay' actions and config.delayMs). */
  delayMs: number
  /** 'queue' or 'random', for the request log. */
  source?: 'queue' | 'random'
}

interface QueueEntry {
  action: FaultAction
  remaining: number
  match: FaultMatch | undefined
}

const DEFAULTS: FaultConfig = {
  seed: 1,
  rate429: 0,
  retryAfterSeconds: 1,
  rate503: 0,
  retryAfter503Seconds: null,
  dropAfterWriteRate: 0,
  dropAfterWriteMethods: ['POST'],
  delayMs: 0,
  match: undefined,
}

export function matches(match: FaultMatch | undefined, method: string, path: string): boolean {
  if (!match) return true
  if (match.method !== undefined) {
    const methods = (typeof match.method === 'string' ? [match.method] : match.method).map((m) =>
      m.toUpperCase(),
    )
    if (!methods.includes(method.toUpperCase())) return false
  }
  if (match.path !== undefined) {
    if (typeof match.path === 'string' ? !path.startsWith(match.path) : !match.path.test(path)) return false
  }
  return true
}

/**
 * Two sources of faults, checked in this order for every request:
 *  1. a FIFO of one-shot actions (`failNext`, `dropNextWrite`, `dropNext`, `delayNext`, `enqueue`):
 *     the first queued entry whose `match` fits the request is consumed (one action per request);
 *  2. if nothing was queued for it, random faults (`configure({ rate429, rate503, dropAfterWriteRate })`)
 *     drawn from a seeded PRNG (mulberry32). While any rate is > 0, exactly one draw is made per
 *     request that fits `config.match` (queued or not, whatever the outcome), so a given seed and
 *     request sequence always produce the same faults. The rates partition [0,1): one draw picks
 *     429, else 503, else drop-after-write (only for dropAfterWriteMethods), else nothing.
 * `delayMs` (fixed or a {min,max} range) is added to every request that fits `config.match`.
 */
export class FaultInjector {
  #config: FaultConfig = { ...DEFAULTS }
  #random: () => number = mulberry32(DEFAULTS.seed)
  #delayRandom: () => number = mulberry32(DEFAULTS.seed ^ 0x9e3779b9)
  #queue: QueueEntry[] = []

  get config(): Readonly<FaultConfig> {
    return this.#config
  }

  /** Merge settings into the current configuration. Passing `seed` restarts the PRNG sequence. */
  configure(config: Partial<FaultConfig>): this {
    this.#config = { ...this.#config, ...config }
    if (config.seed !== undefined) this.#reseed(config.seed)
    return this
  }

  /** Back to no faults at all: default config, empty queue, PRNG reseeded with `seed` (default 1). */
  reset(seed = DEFAULTS.seed): this {
    this.#config = { ...DEFAULTS, seed }
    this.#reseed(seed)
    this.#queue = []
    return this
  }

  /** Queue a one-shot action for the next `times` matching requests. */
  enqueue(action: FaultAction, opts: { times?: number; match?: FaultMatch } = {}): this {
    const times = opts.times ?? 1
    if (times > 0) this.#queue.push({ action, remaining: times, match: opts.match })
    return this
  }

  /** The next `n` matching requests get `status` (default 429) with a SCIM error body. */
  failNext(
    n: number,
    opts: { status?: number; retryAfterSeconds?: number | null; detail?: string; match?: FaultMatch } = {},
  ): this {
    const status = opts.status ?? 429
    const retryAfterSeconds =
      opts.retryAfterSeconds !== undefined ? opts.retryAfterSeconds : status === 429 ? 1 : null
    const action: FaultAction = { type: 'status', status, retryAfterSeconds }
    if (opts.detail !== undefined) action.detail = opts.detail
    return this.enqueue(action, { times: n, match: opts.match })
  }

  /** The next `n` matching writes (default: POST) are applied, then their connection is dropped. */
  dropNextWrite(n: number, opts: { match?: FaultMatch } = {}): this {
    return this.enqueue({ type: 'drop-after-write' }, { times: n, match: opts.match ?? { method: 'POST' } })
  }

  /** The next `n` matching requests are dropped before they are applied. */
  dropNext(n: number, opts: { match?: FaultMatch } = {}): this {
    return this.enqueue({ type: 'drop' }, { times: n, match: opts.match })
  }

  /** The next `n` matching requests are delayed by `ms`. */
  delayNext(n: number, ms: number, opts: { match?: FaultMatch } = {}): this {
    return this.enqueue({ type: 'delay', ms }, { times: n, match: opts.match })
  }

  /** Number of queued one-shot actions not yet consumed. */
  pending(): number {
    return this.#queue.reduce((sum, e) => sum + e.remaining, 0)
  }

  /** Decide the fault for one request (consumes queue entries / PRNG draws). */
  decide(method: string, path: string): FaultDecision {
    const cfg = this.#config
    const decision: FaultDecision = { delayMs: 0 }
    const inScope = matches(cfg.match, method, path)
    if (inScope) decision.delayMs += this.#baseDelay()

    // Draw before looking at the queue, so queued actions don't shift the random sequence.
    const randomOn = inScope && cfg.rate429 + cfg.rate503 + cfg.dropAfterWriteRate > 0
    const u = randomOn ? this.#random() : 1

    const idx = this.#queue.findIndex((e) => matches(e.match, method, path))
    const entry = idx >= 0 ? this.#queue[idx] : undefined
    if (entry) {
      entry.remaining -= 1
      if (entry.remaining <= 0) this.#queue.splice(idx, 1)
      decision.source = 'queue'
      if (entry.action.type === 'delay') decision.delayMs += entry.action.ms
      decision.action = entry.action
      return decision
    }

    const edge429 = cfg.rate429
    const edge503 = edge429 + cfg.rate503
    const edgeDrop = edge503 + cfg.dropAfterWriteRate
    const isDropMethod = cfg.dropAfterWriteMethods.some((m) => m.toUpperCase() === method.toUpperCase())
    if (u < edge429) {
      decision.action = { type: 'status', status: 429, retryAfterSeconds: cfg.retryAfterSeconds }
    } else if (u < edge503) {
      decision.action = { type: 'status', status: 503, retryAfterSeconds: cfg.retryAfter503Seconds }
    } else if (u < edgeDrop && isDropMethod) {
      decision.action = { type: 'drop-after-write' }
    }
    if (decision.action) decision.source = 'random'
    return decision
  }

  #baseDelay(): number {
    const d = this.#config.delayMs
    if (typeof d === 'number') return d
    // Range delays draw from their own stream so they don't shift the fault sequence.
    return d.min + Math.floor(this.#delayRandom() * (d.max - d.min + 1))
  }

  #reseed(seed: number): void {
    this.#random = mulberry32(seed)
    this.#delayRandom = mulberry32(seed ^ 0x9e3779b9)
  }
}
