// A small JSON-over-HTTP client for SCIM: bearer token, one timeout per request (the body
// included), SCIM media types. Node 20's global fetch by default; with a custom CA or
// rejectUnauthorized: false, undici's own fetch and Agent (the global fetch takes no TLS
// options). It neither retries nor paces: pacing.ts does.
import { readFileSync } from 'node:fs'
import { IdsyncError } from '../../core/errors.js'

export interface HttpOptions {
  /** the SCIM base URL, such as https://app.example.com/scim/v2 (a trailing slash is ignored) */
  baseUrl: string
  /** the bearer token; sent in the Authorization header only, never logged */
  token: string
  /** per request, from sending to the end of the body; default 30 s */
  timeoutMs?: number
  tls?: {
    /** PEM file with the CA that signed the target's certificate, trusted on top of the system CAs */
    caFile?: string | undefined
    /** false accepts any certificate: encrypts, but does not prove who answers. Never in production. */
    rejectUnauthorized?: boolean | undefined
  }
  /** replaces fetch (tests) */
  fetch?: FetchFn
}

/** The part of fetch this client uses, so that global fetch and undici's fetch both fit. */
export type FetchFn = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal: AbortSignal },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>

export interface HttpResponse {
  status: number
  /** Retry-After as sent, when sent */
  retryAfter: string | null
  /** the parsed JSON body; undefined when empty (204) or not JSON */
  body: unknown
}

const MEDIA = 'application/scim+json'

export class HttpClient {
  readonly timeoutMs: number
  readonly #base: string
  readonly #token: string
  #fetch: FetchFn | Promise<FetchFn>
  #close: () => Promise<void> = async () => {}

  /** @throws IdsyncError ERR_CONFIG when the CA file cannot be read */
  constructor(options: HttpOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '')
    this.#token = options.token
    this.timeoutMs = options.timeoutMs ?? 30_000
    const tls = options.tls ?? {}
    if (options.fetch) this.#fetch = options.fetch
    else if (tls.caFile !== undefined || tls.rejectUnauthorized === false) {
      const ca = tls.caFile === undefined ? undefined : readCa(tls.caFile)
      this.#fetch = this.#tlsFetch(tls.rejectUnauthorized ?? true, ca)
      // a failed import surfaces on the first request, not as an unhandled rejection
      this.#fetch.catch(() => {})
    } else this.#fetch = globalThis.fetch as unknown as FetchFn
  }

  /** undici's fetch on an Agent with these TLS options, loaded only when needed. */
  async #tlsFetch(rejectUnauthorized: boolean, ca: Buffer | undefined): Promise<FetchFn> {
    const undici = await import('undici')
    const connect: { rejectUnauthorized: boolean; ca?: (string | Buffer)[] } = { rejectUnauthorized }
    // a custom CA is added to Node's bundled roots, as NODE_EXTRA_CA_CERTS would
    if (ca) connect.ca = [...(await import('node:tls')).rootCertificates, ca]
    const agent = new undici.Agent({ connect })
    this.#close = () => agent.close()
    return ((url, init) => undici.fetch(url, { ...init, dispatcher: agent })) as FetchFn
  }

  /**
   * Send one request and read the whole answer. Throws what fetch throws (network failure,
   * TimeoutError); any HTTP status is an answer, not an error. `onHead` hears the status and
   * Retry-After before the body is read (pacing pauses every request on a 429 at once).
   */
  async request(
    method: string,
    path: string,
    body?: unknown,
    onHead?: (status: number, retryAfter: string | null) => void,
  ): Promise<HttpResponse> {
    if (this.#fetch instanceof Promise) this.#fetch = await this.#fetch
    const headers: Record<string, string> = {
      accept: `${MEDIA}, application/json`,
      authorization: `Bearer ${this.#token}`,
    }
    const init: Parameters<FetchFn>[1] = { method, headers, signal: AbortSignal.timeout(this.timeoutMs) }
    if (body !== undefined) {
      headers['content-type'] = MEDIA
      init.body = JSON.stringify(body)
    }
    const res = await this.#fetch(`${this.#base}${path}`, init)
    const retryAfter = res.headers.get('retry-after')
    onHead?.(res.status, retryAfter)
    const text = await res.text()
    return { status: res.status, retryAfter, body: parseJson(text) }
  }

  async close(): Promise<void> {
    // the agent is made as soon as undici is loaded, a request or not
    if (this.#fetch instanceof Promise) await this.#fetch.catch(() => {})
    await this.#close()
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (e) {
    throw new IdsyncError('ERR_CONFIG', `tls.caFile: ${file} cannot be read`, { cause: e })
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}
