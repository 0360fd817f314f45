// The test SCIM server's request log: one record per request (timing, status, faults, body, membership
// changes), so tests can assert what a client sent, in what order, and whether it honoured Retry-After.
export interface PatchOpSummary {
  op: string
  path?: string
}

export interface RequestRecord {
  /** 1-based arrival order. */
  seq: number
  method: string
  /** Path relative to the SCIM base path, without query (e.g. "/Users/abc"); absolute if outside it. */
  path: string
  /** Original URL including the query string. */
  url: string
  query: Record<string, string>
  /** Epoch milliseconds (sub-ms precision) when the request arrived. */
  receivedAt: number
  /** Epoch ms when the response was handed to the socket (or the socket was dropped). */
  respondedAt?: number
  /** Status actually sent; undefined when the connection was dropped or is still open. */
  status?: number
  /** Status the server would have sent before a 'drop-after-write' destroyed the connection. */
  statusBeforeDrop?: number
  /** Retry-After value (seconds) sent with the response, if any. */
  retryAfter?: number
  /** Fault applied to this request, if any. */
  fault?: 'status' | 'drop' | 'drop-after-write' | 'delay'
  faultSource?: 'queue' | 'random'
  delayedMs: number
  dropped: boolean
  /** Parsed JSON request body (after the response was produced). */
  body?: unknown
  /** Group members added/removed by this request (POST, PUT, PATCH, Bulk), summed over groups touched. */
  membersAdded: number
  membersRemoved: number
  /** The ops of a PATCH body, as sent. */
  patchOps?: PatchOpSummary[]
  /** ids of resources created / changed / deleted by this request. */
  created: string[]
  updated: string[]
  deleted: string[]
}

export interface RetryAfterViolation {
  /** The throttled response that carried Retry-After. */
  throttled: RequestRecord
  /** The request that came too early. */
  early: RequestRecord
  /** Earliest time the request was allowed (throttled.respondedAt + retryAfter s). */
  allowedAt: number
  earlyByMs: number
}

export class RequestLog {
  #records: RequestRecord[] = []
  #seq = 0

  /** @internal */
  start(init: Pick<RequestRecord, 'method' | 'path' | 'url' | 'query'>): RequestRecord {
    const rec: RequestRecord = {
      ...init,
      seq: ++this.#seq,
      receivedAt: now(),
      delayedMs: 0,
      dropped: false,
      membersAdded: 0,
      membersRemoved: 0,
      created: [],
      updated: [],
      deleted: [],
    }
    this.#records.push(rec)
    return rec
  }

  /** All records in arrival order (a copy of the list; records are live objects). */
  all(): RequestRecord[] {
    return [...this.#records]
  }

  get length(): number {
    return this.#records.length
  }

  filter(pred: (r: RequestRecord) => boolean): RequestRecord[] {
    return this.#records.filter(pred)
  }

  /** Records for a method and (prefix string or RegExp) path. */
  matching(method?: string, path?: string | RegExp): RequestRecord[] {
    return this.#records.filter(
      (r) =>
        (method === undefined || r.method === method.toUpperCase()) &&
        (path === undefined || (typeof path === 'string' ? r.path.startsWith(path) : path.test(r.path))),
    )
  }

  /** Requests that modify state (POST/PUT/PATCH/DELETE). */
  writes(): RequestRecord[] {
    return this.#records.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
  }

  last(): RequestRecord | undefined {
    return this.#records[this.#records.length - 1]
  }

  clear(): void {
    this.#records = []
  }

  /**
   * Requests that arrived before the Retry-After of an earlier response had elapsed.
   * By default every later request counts (one client); `samePath` only counts requests to the
   * same method+path. `toleranceMs` (default 5) absorbs timer granularity.
   */
  retryAfterViolations(opts: { samePath?: boolean; toleranceMs?: number } = {}): RetryAfterViolation[] {
    const tolerance = opts.toleranceMs ?? 5
    const out: RetryAfterViolation[] = []
    for (const t of this.#records) {
      if (t.retryAfter === undefined || t.respondedAt === undefined) continue
      const allowedAt = t.respondedAt + t.retryAfter * 1000
      for (const r of this.#records) {
        if (r.seq <= t.seq || r.receivedAt < t.respondedAt) continue
        if (opts.samePath && (r.method !== t.method || r.path !== t.path)) continue
        if (r.receivedAt < allowedAt - tolerance)
          out.push({ throttled: t, early: r, allowedAt, earlyByMs: allowedAt - r.receivedAt })
      }
    }
    return out
  }
}

export function now(): number {
  return performance.timeOrigin + performance.now()
}
