// SCIM answers and transport failures as TargetError (RFC 7644 §3.12). Messages name the
// target, the operation and the object (by target id, never by attribute value) and never
// the token; the target's own `detail` is kept apart in `targetMessage`.
import { TargetError, type TargetErrorType } from '../types.js'

/** What a request was for, in words for messages: `create user`, `update group 1f3c…`. */
export interface RequestContext {
  /** the target's name from the configuration */
  target: string
  /** the operation and the object: `update user 2819c223-7f76-453a-919d-413861904646` */
  what: string
}

/** The longest target detail kept (a target may echo a whole request body back). */
const MAX_DETAIL = 500

/** Map an HTTP status and SCIM scimType to the error types `status` and `explain` group by. */
export function errorType(status: number, scimType: string | null): TargetErrorType {
  if (status === 409 || scimType === 'uniqueness') return 'duplicate'
  if (status === 404) return 'not-found'
  if (status === 401 || status === 403) return 'permission'
  if (status === 429) return 'throttled'
  if (status >= 500) return 'server'
  return 'invalid'
}

const TYPE_WORDS: Record<TargetErrorType, string> = {
  duplicate: 'an object with the same unique value exists',
  invalid: 'the target rejected the request',
  'not-found': 'the object does not exist',
  permission: 'the token is not allowed to do this',
  throttled: 'the target kept throttling the requests',
  server: 'the target failed',
  network: 'the target could not be reached',
}

/** The `detail` and `scimType` of a SCIM error body; anything else gives nulls. */
export function scimErrorDetail(body: unknown): { detail: string | null; scimType: string | null } {
  if (body === null || typeof body !== 'object') return { detail: null, scimType: null }
  const b = body as { detail?: unknown; scimType?: unknown }
  const detail = typeof b.detail === 'string' && b.detail !== '' ? b.detail.slice(0, MAX_DETAIL) : null
  const scimType = typeof b.scimType === 'string' && b.scimType !== '' ? b.scimType : null
  return { detail, scimType }
}

/** A TargetError for an HTTP answer that is not a success. */
export function responseError(ctx: RequestContext, status: number, body: unknown): TargetError {
  const { detail, scimType } = scimErrorDetail(body)
  const type = errorType(status, scimType)
  const scim = scimType ? `, ${scimType}` : ''
  return new TargetError(
    type,
    `scim target "${ctx.target}": ${ctx.what} failed: HTTP ${status}${scim} (${TYPE_WORDS[type]})`,
    status,
    detail,
  )
}

/** The code of a fetch failure (undici puts the socket error under `cause`). */
export function networkCode(e: unknown): string {
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return 'timeout'
  let cur: unknown = e
  for (let depth = 0; depth < 4 && cur; depth++) {
    const code = (cur as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
    cur = (cur as { cause?: unknown }).cause
  }
  return 'unknown'
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/** True when the request never left this machine, so even a create can be sent again. */
export function neverSent(e: unknown): boolean {
  const code = networkCode(e)
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || TLS_CODES.has(code)
}

/** True for a certificate problem: retrying does not help, the configuration must change. */
export function isTlsFailure(e: unknown): boolean {
  return TLS_CODES.has(networkCode(e))
}

/** A TargetError for a request that got no answer: refused, reset, timed out, untrusted certificate. */
export function networkError(ctx: RequestContext, e: unknown, timeoutMs: number): TargetError {
  const code = networkCode(e)
  const why =
    code === 'timeout'
      ? `no answer within ${timeoutMs / 1000} s`
      : TLS_CODES.has(code)
        ? `the server's TLS certificate is not trusted (${code}): set tls.caFile to the CA that signed it`
        : `connection failed (${code})`
  return new TargetError('network', `scim target "${ctx.target}": ${ctx.what} failed: ${why}`, null, null, {
    cause: e,
  })
}
