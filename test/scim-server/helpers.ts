// Shared by the test SCIM server's own suites: SCIM schema URNs and a minimal fetch-based client.
import type { ScimServer } from '../support/scim-server/index.js'

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group'
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
export const EXT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'

// biome-ignore lint/suspicious/noExplicitAny: test convenience: SCIM JSON is inspected dynamically
export type Body = any

export interface Reply {
  status: number
  headers: Headers
  body: Body
}

/** Minimal SCIM client for tests: JSON in/out, bearer token, no retries. */
export function client(server: ScimServer, token: string = server.token) {
  async function call(method: string, path: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/scim+json' }
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/scim+json'
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await res.text()
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined }
  }
  return {
    call,
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    patch: (path: string, ops: unknown[]) =>
      call('PATCH', path, { schemas: [PATCH_SCHEMA], Operations: ops }),
    del: (path: string) => call('DELETE', path),
  }
}

export const q = (filter: string) => `filter=${encodeURIComponent(filter)}`
