// The SCIM 2.0 target (RFC 7643/7644): Users and Groups over HTTP, paced and retried
// (pacing.ts). Writes are minimal: one PATCH per update, members added and removed by value
// in chunks (never the whole member list), and a create whose answer was lost is looked up
// by externalId before it is sent again, so no object is ever created twice.
import { isIdsyncError } from '../../core/errors.js'
import type { FlatAttrs, SyncKind } from '../../core/sync-model.js'
import { type Target, TargetError, type TargetObject } from '../types.js'
import { networkCode, networkError, type RequestContext, responseError } from './errors.js'
import { type FetchFn, HttpClient, type HttpOptions, type HttpResponse } from './http.js'
import {
  fromResource,
  PATCH_SCHEMA,
  type PatchOperation,
  scimString,
  toPatchOps,
  toResource,
} from './mapping.js'
import { OutcomeUnknown, Pacer, type PacingOptions, type RetryEvent } from './pacing.js'

export interface ScimTargetOptions {
  /** the target's name in the configuration, for messages */
  name: string
  /** the SCIM base URL, such as https://app.example.com/scim/v2 */
  url: string
  token: string
  /** default 50 requests/s, 8 in flight; burst: see PacingOptions */
  rate?: { requestsPerSecond: number; concurrency: number; burst?: number }
  /** tries, backoff, longest Retry-After waited for (PacingOptions) */
  retry?: Pick<PacingOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs' | 'random'>
  /** per request; default 30 s */
  timeoutMs?: number
  tls?: HttpOptions['tls']
  /** resources per page when listing; default 100 */
  pageSize?: number
  /** members per PATCH (and in a create's POST); default 100 */
  memberChunkSize?: number
  /** structured events: no token, no attribute value, no filter */
  log?: (event: ScimLogEvent) => void
  /** replaces fetch (tests) */
  fetch?: FetchFn
}

/** What the logging hook hears. Paths have no query string: filters hold attribute values. */
export type ScimLogEvent =
  | {
      event: 'request'
      target: string
      operation: string
      method: string
      path: string
      /** null when no answer came */
      status: number | null
      /** the network failure's code when no answer came */
      error?: string
      attempt: number
      ms: number
    }
  | ({ event: 'retry'; target: string; operation: string } & RetryEvent)
  | { event: 'create-recovered'; target: string; kind: SyncKind; id: string }

/** Requests sent, retries included, for benchmarks and tests. */
export interface RequestCounts {
  /** GET */
  reads: number
  /** POST, PUT, PATCH, DELETE */
  writes: number
  /** requests that were sends again of an earlier one */
  retries: number
  /** answers with status 429 */
  throttled: number
}

const OK = (status: number): boolean => status >= 200 && status < 300
const unique = (ids: readonly string[]): string[] => [...new Set(ids)]

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size))
  return out
}

export class ScimTarget implements Target {
  readonly name: string
  readonly type = 'scim'
  readonly kinds: readonly SyncKind[] = ['user', 'group']
  readonly #http: HttpClient
  readonly #pacer: Pacer
  readonly #pageSize: number
  readonly #chunk: number
  readonly #log: (event: ScimLogEvent) => void
  readonly #counts: RequestCounts = { reads: 0, writes: 0, retries: 0, throttled: 0 }

  constructor(options: ScimTargetOptions) {
    this.name = options.name
    const http: HttpOptions = { baseUrl: options.url, token: options.token }
    if (options.timeoutMs !== undefined) http.timeoutMs = options.timeoutMs
    if (options.tls) http.tls = options.tls
    if (options.fetch) http.fetch = options.fetch
    this.#http = new HttpClient(http)
    const rate = options.rate ?? { requestsPerSecond: 50, concurrency: 8 }
    this.#pacer = new Pacer({ ...options.retry, ...rate })
    this.#pageSize = options.pageSize ?? 100
    this.#chunk = Math.max(1, options.memberChunkSize ?? 100)
    this.#log = options.log ?? (() => {})
  }

  /** A copy of the request counters. */
  get counts(): RequestCounts {
    return { ...this.#counts }
  }

  resetCounts(): void {
    Object.assign(this.#counts, { reads: 0, writes: 0, retries: 0, throttled: 0 })
  }

  // ---------------------------------------------------------------- reads

  async *list(kind: SyncKind): AsyncIterable<TargetObject> {
    const base = endpoint(kind)
    const ctx = this.#ctx(`list ${kind}s`)
    let total = Number.POSITIVE_INFINITY
    let previousFirst: unknown
    for (let start = 1; start <= total; ) {
      const res = await this.#send(ctx, 'GET', `${base}?startIndex=${start}&count=${this.#pageSize}`)
      if (!OK(res.status)) throw responseError(ctx, res.status, res.body)
      const page = (res.body ?? {}) as { totalResults?: unknown; startIndex?: unknown; Resources?: unknown }
      if (typeof page.totalResults !== 'number') throw this.#broken(ctx, 'a page without totalResults')
      // a server that ignores startIndex returns page one again, forever (scimmy-routers on Express 5)
      if (typeof page.startIndex === 'number' && page.startIndex !== start)
        throw this.#broken(ctx, `page ${page.startIndex} when asked for ${start}`)
      total = page.totalResults
      const resources = Array.isArray(page.Resources) ? page.Resources : []
      if (resources.length === 0) {
        // a partial read is never taken for a complete one
        if (start <= total) throw this.#broken(ctx, `an empty page at ${start} of ${total}`)
        break
      }
      // the same page again from a server that does not say its startIndex
      const firstId = (resources[0] as { id?: unknown }).id
      if (start > 1 && firstId === previousFirst)
        throw this.#broken(ctx, `the previous page again when asked for ${start}`)
      previousFirst = firstId
      for (const r of resources) yield fromResource(kind, r)
      start += resources.length
    }
  }

  findByExternalId(kind: SyncKind, externalId: string): Promise<TargetObject | null> {
    return this.#findOne(kind, `externalId eq ${scimString(externalId)}`, `find ${kind} by externalId`)
  }

  findByName(kind: SyncKind, name: string): Promise<TargetObject | null> {
    const attr = kind === 'group' ? 'displayName' : 'userName'
    return this.#findOne(kind, `${attr} eq ${scimString(name)}`, `find ${kind} by ${attr}`)
  }

  findByEmail(email: string): Promise<TargetObject | null> {
    return this.#findOne('user', `emails.value eq ${scimString(email)}`, 'find user by email')
  }

  async #findOne(kind: SyncKind, filter: string, what: string): Promise<TargetObject | null> {
    const ctx = this.#ctx(what)
    const query = `filter=${encodeURIComponent(filter)}&startIndex=1&count=2`
    const res = await this.#send(ctx, 'GET', `${endpoint(kind)}?${query}`)
    if (!OK(res.status)) throw responseError(ctx, res.status, res.body)
    const page = (res.body ?? {}) as { totalResults?: unknown; Resources?: unknown }
    const resources = Array.isArray(page.Resources) ? page.Resources : []
    const total = typeof page.totalResults === 'number' ? page.totalResults : resources.length
    if (total > 1 || resources.length > 1)
      throw new TargetError(
        'duplicate',
        `scim target "${this.name}": ${what}: ${total} ${kind}s match`,
        null,
        null,
      )
    return resources.length === 1 ? fromResource(kind, resources[0]) : null
  }

  // ---------------------------------------------------------------- writes

  async create(kind: SyncKind, attrs: FlatAttrs, members: readonly string[] = []): Promise<TargetObject> {
    const ids = unique(members)
    const [first = [], ...rest] = chunks(ids, this.#chunk)
    const created = await this.#post(kind, attrs, toResource(kind, attrs, first))
    for (const chunk of rest) await this.#addChunk(created.id, chunk)
    if (kind === 'group') created.members = unique([...(created.members ?? []), ...ids])
    return created
  }

  /** POST, and when the answer is lost, look the object up before sending it again. */
  async #post(kind: SyncKind, attrs: FlatAttrs, body: unknown): Promise<TargetObject> {
    const ctx = this.#ctx(`create ${kind}`)
    let lost = false
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse
      try {
        res = await this.#send(ctx, 'POST', endpoint(kind), body, false)
      } catch (e) {
        if (!(e instanceof OutcomeUnknown)) throw e
        lost = true
        const found = await this.#recover(kind, attrs)
        if (found) return found
        if (attempt >= this.#pacer.maxAttempts)
          throw e.response
            ? responseError(ctx, e.response.status, e.response.body)
            : networkError(ctx, e.failure, this.#http.timeoutMs)
        await this.#pacer.backoff(attempt)
        continue
      }
      // the conflict may be our own earlier create, applied though its answer was lost
      if (lost && res.status === 409) {
        const found = await this.#recover(kind, attrs)
        if (found) return found
      }
      if (!OK(res.status)) throw responseError(ctx, res.status, res.body)
      // a target that answers a create without the resource: find what it made
      if (typeof (res.body as { id?: unknown } | undefined)?.id !== 'string') {
        const found = await this.#recover(kind, attrs)
        if (found) return found
      }
      return fromResource(kind, res.body)
    }
  }

  /** The object a lost create made, by externalId (users without one: by userName). */
  async #recover(kind: SyncKind, attrs: FlatAttrs): Promise<TargetObject | null> {
    const externalId = attrs.externalId
    let found: TargetObject | null = null
    if (typeof externalId === 'string') found = await this.findByExternalId(kind, externalId)
    else if (kind === 'user' && typeof attrs.userName === 'string')
      found = await this.findByName(kind, attrs.userName)
    if (found) this.#log({ event: 'create-recovered', target: this.name, kind, id: found.id })
    return found
  }

  async update(kind: SyncKind, id: string, attrs: FlatAttrs): Promise<void> {
    const ops = toPatchOps(attrs)
    if (ops.length > 0) await this.#patch(kind, id, ops, `update ${kind} ${id}`)
  }

  async delete(kind: SyncKind, id: string): Promise<void> {
    const ctx = this.#ctx(`delete ${kind} ${id}`)
    const res = await this.#send(ctx, 'DELETE', `${endpoint(kind)}/${encodeURIComponent(id)}`)
    // gone already (or deleted by an earlier try whose answer was lost): that is success
    if (!OK(res.status) && res.status !== 404) throw responseError(ctx, res.status, res.body)
  }

  async addMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    for (const chunk of chunks(unique(memberIds), this.#chunk)) await this.#addChunk(groupId, chunk)
  }

  async removeMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    for (const chunk of chunks(unique(memberIds), this.#chunk)) {
      const ops = chunk.map(
        (id): PatchOperation => ({ op: 'remove', path: `members[value eq ${scimString(id)}]` }),
      )
      await this.#patch('group', groupId, ops, `remove members from group ${groupId}`)
    }
  }

  #addChunk(groupId: string, ids: string[]): Promise<void> {
    const ops: PatchOperation[] = [{ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }]
    return this.#patch('group', groupId, ops, `add members to group ${groupId}`)
  }

  async #patch(kind: SyncKind, id: string, ops: PatchOperation[], what: string): Promise<void> {
    const ctx = this.#ctx(what)
    const body = { schemas: [PATCH_SCHEMA], Operations: ops }
    const res = await this.#send(ctx, 'PATCH', `${endpoint(kind)}/${encodeURIComponent(id)}`, body)
    // 200 with the resource, or 204 when nothing changed
    if (!OK(res.status)) throw responseError(ctx, res.status, res.body)
  }

  async close(): Promise<void> {
    await this.#http.close()
  }

  // ---------------------------------------------------------------- transport

  #ctx(what: string): RequestContext {
    return { target: this.name, what }
  }

  #broken(ctx: RequestContext, what: string): TargetError {
    return new TargetError(
      'server',
      `scim target "${ctx.target}": ${ctx.what}: the target sent ${what}`,
      null,
      null,
    )
  }

  /**
   * One request through the pacer. Network failures become TargetError 'network', except
   * OutcomeUnknown for a non-idempotent request (create handles it).
   */
  async #send(
    ctx: RequestContext,
    method: string,
    path: string,
    body?: unknown,
    idempotent = true,
  ): Promise<HttpResponse> {
    const logPath = path.split('?')[0] as string
    let attempt = 0
    const onRetry = (e: RetryEvent): void =>
      this.#log({ event: 'retry', target: this.name, operation: ctx.what, ...e })
    try {
      return await this.#pacer.send(
        async (onHead) => {
          attempt++
          if (attempt > 1) this.#counts.retries++
          if (method === 'GET') this.#counts.reads++
          else this.#counts.writes++
          const started = performance.now()
          const event = {
            event: 'request' as const,
            target: this.name,
            operation: ctx.what,
            method,
            path: logPath,
            attempt,
          }
          try {
            const res = await this.#http.request(method, path, body, onHead)
            if (res.status === 429) this.#counts.throttled++
            this.#log({ ...event, status: res.status, ms: Math.round(performance.now() - started) })
            return res
          } catch (e) {
            this.#log({
              ...event,
              status: null,
              error: networkCode(e),
              ms: Math.round(performance.now() - started),
            })
            throw e
          }
        },
        { idempotent, onRetry },
      )
    } catch (e) {
      if (e instanceof OutcomeUnknown || isIdsyncError(e)) throw e
      throw networkError(ctx, e, this.#http.timeoutMs)
    }
  }
}

function endpoint(kind: SyncKind): string {
  if (kind === 'user') return '/Users'
  if (kind === 'group') return '/Groups'
  throw new TargetError('invalid', `a SCIM target holds users and groups, not ${kind}s`, null, null)
}
