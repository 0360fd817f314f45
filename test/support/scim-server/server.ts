// startScimServer(): a real SCIM 2.0 server for idsync's tests, on 127.0.0.1. Protocol logic (filter
// parsing, PATCH, schema validation, ListResponse, errors, /Schemas, /ResourceTypes,
// /ServiceProviderConfig, /Bulk, /.search) comes from scimmy + scimmy-routers on Express 5;
// bearer auth, storage, faults and the request log are ours.
import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express'
import SCIMMY from 'scimmy'
import SCIMMYRouters from 'scimmy-routers'
import { type FaultAction, FaultInjector } from './faults.js'
import { now, type PatchOpSummary, RequestLog, type RequestRecord } from './request-log.js'
import { declareScimResources, type HandlerContext } from './scimmy-setup.js'
import { ScimStore, type StoreOptions } from './store.js'

export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'

export interface ScimServerOptions extends StoreOptions {
  /** Default 0 (ephemeral). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Bearer token clients must send; default: random hex. */
  token?: string
  /** Default /scim/v2. */
  basePath?: string
  /** Seed for the fault injector's PRNG (default 1). */
  seed?: number
  /**
   * Work around scimmy-routers 1.3.2 on Express 5 losing startIndex/count (every page = first
   * 20 items): pin req.query to a plain writable object before the router. Default true; set
   * false only to demonstrate the bug.
   */
  pinQuery?: boolean
  /**
   * Work around scimmy 1.3.5's ListResponse: startIndex > totalResults returns the first page
   * again (we answer an empty page), and every list request coerces every matching resource
   * (we hand scimmy only the page). Default true; false = plain scimmy behaviour.
   */
  fixListPaging?: boolean
  /** Log 5xx errors thrown by handlers to stderr. Default false. */
  logErrors?: boolean
}

export interface ScimServer {
  /** Base URL, e.g. http://127.0.0.1:41234/scim/v2 (no trailing slash). */
  url: string
  port: number
  token: string
  store: ScimStore
  faults: FaultInjector
  requests: RequestLog
  stop(): Promise<void>
}

/** SCIM error body (for statuses scimmy's ErrorResponse refuses, such as 429 and 503). */
export function scimErrorBody(status: number, detail?: string, scimType?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { schemas: [SCIM_ERROR_SCHEMA], status: String(status) }
  if (scimType) body.scimType = scimType
  if (detail) body.detail = detail
  return body
}

function sendScimError(res: Response, status: number, detail?: string, scimType?: string): void {
  res
    .status(status)
    .type('application/scim+json')
    .send(JSON.stringify(scimErrorBody(status, detail, scimType)))
}

/** Express 5 makes req.query a getter that re-parses on every access, so scimmy-routers' in-place
 * cast of startIndex/count to numbers is lost. Shadow it with a plain own property. */
const pinQuery: RequestHandler = (req, _res, next) => {
  const query = { ...(req.query as Record<string, unknown>) }
  Object.defineProperty(req, 'query', { value: query, writable: true, enumerable: true, configurable: true })
  next()
}

function flatQuery(req: Request): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>))
    out[k] = Array.isArray(v) ? String(v[0]) : String(v)
  return out
}

function patchOps(body: unknown): PatchOpSummary[] | undefined {
  const ops = (body as { Operations?: unknown } | undefined)?.Operations
  if (!Array.isArray(ops)) return undefined
  return ops.map((o: { op?: unknown; path?: unknown }) => {
    const s: PatchOpSummary = { op: String(o?.op) }
    if (typeof o?.path === 'string') s.path = o.path
    return s
  })
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export async function startScimServer(options: ScimServerOptions = {}): Promise<ScimServer> {
  declareScimResources()
  const host = options.host ?? '127.0.0.1'
  const basePath = (options.basePath ?? '/scim/v2').replace(/\/$/, '')
  const token = options.token ?? randomBytes(16).toString('hex')
  const store = new ScimStore(options)
  const faults = new FaultInjector().reset(options.seed ?? 1)
  const requests = new RequestLog()
  const records = new WeakMap<Request, RequestRecord>()
  let origin = ''

  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)

  // 1. record arrival first (receivedAt is what Retry-After assertions compare against)
  app.use((req, res, next) => {
    const path =
      req.path.startsWith(`${basePath}/`) || req.path === basePath
        ? req.path.slice(basePath.length) || '/'
        : req.path
    const rec = requests.start({ method: req.method, path, url: req.originalUrl, query: flatQuery(req) })
    records.set(req, rec)
    const end = res.end.bind(res) as (...a: unknown[]) => Response
    res.end = ((...args: unknown[]) => {
      rec.respondedAt = now()
      const ra = res.getHeader('retry-after')
      if (ra !== undefined) rec.retryAfter = Number(ra)
      if (rec.body === undefined && req.body !== undefined) rec.body = req.body
      if (rec.fault === 'drop-after-write') {
        rec.dropped = true
        rec.statusBeforeDrop = res.statusCode
        req.socket.destroy()
        return res
      }
      rec.status = res.statusCode
      return end(...args)
    }) as Response['end']
    next()
  })

  // 2. parse the body here too (scimmy-routers' own parser then skips), so faulted requests'
  //    bodies are recorded as well
  app.use(express.json({ type: ['application/scim+json', 'application/json'], limit: '5mb' }))
  app.use((req, _res, next) => {
    const rec = records.get(req)
    if (rec && req.body !== undefined) {
      rec.body = req.body
      const ops = req.method === 'PATCH' ? patchOps(req.body) : undefined
      if (ops) rec.patchOps = ops
    }
    next()
  })

  // 3. faults
  app.use(async (req, res, next) => {
    const rec = records.get(req)
    const decision = faults.decide(req.method, rec?.path ?? req.path)
    const action: FaultAction | undefined = decision.action
    if (rec) {
      rec.delayedMs = decision.delayMs
      if (action) {
        rec.fault = action.type
        if (decision.source) rec.faultSource = decision.source
      } else if (decision.delayMs > 0) rec.fault = 'delay'
    }
    if (decision.delayMs > 0) await sleep(decision.delayMs)
    if (!action || action.type === 'delay' || action.type === 'drop-after-write') return next()
    if (action.type === 'drop') {
      if (rec) {
        rec.dropped = true
        rec.respondedAt = now()
      }
      req.socket.destroy()
      return
    }
    if (action.retryAfterSeconds !== undefined && action.retryAfterSeconds !== null)
      res.setHeader('Retry-After', String(Math.max(0, Math.round(action.retryAfterSeconds))))
    sendScimError(res, action.status, action.detail ?? `Injected fault: HTTP ${action.status}`)
  })

  // 4. SCIM (scimmy-routers does auth, then everything else)
  const scim = new SCIMMYRouters({
    type: 'bearer',
    docUri: 'https://datatracker.ietf.org/doc/html/rfc6750',
    handler: (req: Request) => {
      const auth = req.header('authorization') ?? ''
      const m = /^Bearer\s+(.+)$/i.exec(auth)
      if (!m || m[1] !== token) {
        req.res?.setHeader('WWW-Authenticate', 'Bearer realm="idsync-test-scim"')
        throw new Error(m ? 'Invalid bearer token' : 'Missing bearer token')
      }
      return 'idsync-test-client'
    },
    context: (req: Request): HandlerContext => ({
      store,
      record: records.get(req),
      fixListPaging: options.fixListPaging ?? true,
    }),
    baseUri: () => origin,
  })
  if (options.pinQuery ?? true) app.use(basePath, pinQuery)
  app.use(basePath, scim as unknown as RequestHandler)

  // 5. outside the base path, and errors that escaped (malformed JSON, 5xx re-thrown by the router)
  app.use((_req, res) => sendScimError(res, 404, 'Endpoint Not Found'))
  app.use(
    (
      err: { status?: number; type?: string; message?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      if (res.headersSent) {
        if (options.logErrors) console.error('[scim-server]', err)
        return
      }
      const status = typeof err.status === 'number' ? err.status : 500
      if (options.logErrors && status >= 500) console.error('[scim-server]', err)
      if (err.type === 'entity.parse.failed')
        return sendScimError(res, 400, `Malformed JSON: ${err.message}`, 'invalidSyntax')
      sendScimError(res, status, err.message ?? 'Internal error')
    },
  )

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)))
    s.once('error', reject)
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  let stopped: Promise<void> | undefined
  return {
    url: `${origin}${basePath}`,
    port,
    token,
    store,
    faults,
    requests,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
      return stopped
    },
  }
}

// Re-exported for tests that want scimmy's types/messages (e.g. to build PatchOp bodies).
export { SCIMMY }
