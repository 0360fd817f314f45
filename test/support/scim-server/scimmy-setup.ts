// Wires the test SCIM server's storage into scimmy: declares User (+ enterprise extension) and Group
// with ingress/egress/degress handlers, and works around scimmy 1.3.5's ListResponse paging.
// scimmy keeps all of this in process-global state, so it is done once per process; the handlers find
// each server's store through the request context, so several servers can run in one process.
import SCIMMY from 'scimmy'
import type { RequestRecord } from './request-log.js'
import type { ScimJson, ScimStore, WriteResult } from './store.js'

/** What our AuthenticationContext returns for each request; scimmy hands it to the handlers. */
export interface HandlerContext {
  store: ScimStore
  record: RequestRecord | undefined
  /** See ScimServerOptions.fixListPaging. */
  fixListPaging: boolean
}

/** scimmy's ListResponse default page size when the request has no `count`. */
const SCIMMY_DEFAULT_COUNT = 20

/**
 * Shape a filtered result list for scimmy's ListResponse, working around two of its behaviours:
 *
 * 1. Past the end: ListResponse only applies startIndex when it is within the results, so
 *    startIndex > totalResults returns the FIRST page again (a client that stops on an empty page
 *    loops forever). We answer an empty page instead, as RFC 7644 §3.4.2.4 expects.
 * 2. Cost: scimmy coerces every returned resource through its schema (~0.7 ms per User) before
 *    paging, so paging n resources costs O(n) per page. Returning a sparse array with only the
 *    needed positions filled skips the rest (map() skips holes, ListResponse drops them, and a
 *    sparse array's length still gives totalResults). ListResponse re-slices by startIndex when
 *    `filled >= startIndex && totalResults !== filled + startIndex - 1`, so when the page would be
 *    re-sliced we also fill the startIndex-1 items before it (and one after, if that equation
 *    happens to hold) so the re-slice lands on the right page.
 * With sortBy, scimmy must see every item to sort, so the full list is returned (only fix 1).
 * With fixListPaging=false the full list is returned untouched (plain scimmy behaviour).
 */
function shapeList<T>(resource: SCIMMY.Types.Resource, list: T[], ctx: HandlerContext): T[] {
  if (!ctx.fixListPaging) return list
  const c = resource.constraints
  const total = list.length
  const start = c?.startIndex ?? 1
  if (c?.sortBy !== undefined) {
    if (start > total) c.count = 0
    return list
  }
  const count = c?.count ?? SCIMMY_DEFAULT_COUNT
  const pageLen = Math.max(0, Math.min(count, total - (start - 1)))
  const sparse = new Array<T>(total)
  if (pageLen === 0) return sparse
  let from = start - 1
  let to = start - 1 + pageLen
  if (pageLen >= start) {
    from = 0
    if (total === to + start - 1) to += 1
  }
  for (let i = from; i < Math.min(to, total); i++) sparse[i] = list[i] as T
  return sparse
}

const ENTERPRISE_ATTR = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department'

/**
 * Attach the enterprise extension to the User resource/schema. Without it scimmy silently DROPS
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User` attributes on the way in.
 */
export function ensureScimmySchemas(): void {
  let extended = true
  try {
    SCIMMY.Schemas.User.definition.attribute(ENTERPRISE_ATTR)
  } catch {
    extended = false
  }
  if (!extended) SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false)
}

let handlersInstalled = false

function contextOf(ctx: unknown): HandlerContext {
  const c = ctx as Partial<HandlerContext> | undefined
  if (!c?.store)
    throw new SCIMMY.Types.Error(500, null as never, 'scim-server: handler called without a store context')
  return c as HandlerContext
}

function note(record: RequestRecord | undefined, r: WriteResult<{ id: string }>): void {
  if (!record) return
  ;(r.created ? record.created : record.updated).push(r.resource.id)
  record.membersAdded += r.membersAdded.length
  record.membersRemoved += r.membersRemoved.length
}

function plain(instance: unknown): ScimJson {
  return JSON.parse(JSON.stringify(instance)) as ScimJson
}

function notFound(id: string): Error {
  return new SCIMMY.Types.Error(404, null as never, `Resource ${id} not found`)
}

/** Declare User (+EnterpriseUser) and Group with our storage handlers; idempotent. */
export function declareScimResources(): void {
  ensureScimmySchemas()
  if (handlersInstalled) return
  const { User, Group } = SCIMMY.Resources
  if (!SCIMMY.Resources.declared(User)) SCIMMY.Resources.declare(User)
  if (!SCIMMY.Resources.declared(Group)) SCIMMY.Resources.declare(Group)

  // The handler types want scimmy Schema instances back; any plain object with the same shape is
  // accepted at runtime (scimmy re-coerces it), hence the casts.
  User.ingress(((resource: SCIMMY.Resources.User, instance: unknown, ctx: unknown) => {
    const { store, record } = contextOf(ctx)
    const result = store.writeUser(resource.id, plain(instance))
    note(record, result)
    return store.userForEgress(result.resource.id)
  }) as never)
  User.egress(((resource: SCIMMY.Resources.User, ctx: unknown) => {
    const { store } = contextOf(ctx)
    if (resource.id !== undefined) {
      const u = store.userForEgress(resource.id)
      if (!u) throw notFound(resource.id)
      return u
    }
    return shapeList(resource, store.queryUsers(resource.filter), contextOf(ctx))
  }) as never)
  User.degress(((resource: SCIMMY.Resources.User, ctx: unknown) => {
    const { store, record } = contextOf(ctx)
    const id = resource.id as string
    store.deleteUser(id)
    record?.deleted.push(id)
  }) as never)

  Group.ingress(((resource: SCIMMY.Resources.Group, instance: unknown, ctx: unknown) => {
    const { store, record } = contextOf(ctx)
    const result = store.writeGroup(resource.id, plain(instance))
    note(record, result)
    return store.groupForEgress(result.resource.id)
  }) as never)
  Group.egress(((resource: SCIMMY.Resources.Group, ctx: unknown) => {
    const { store } = contextOf(ctx)
    if (resource.id !== undefined) {
      const g = store.groupForEgress(resource.id)
      if (!g) throw notFound(resource.id)
      return g
    }
    return shapeList(resource, store.queryGroups(resource.filter), contextOf(ctx))
  }) as never)
  Group.degress(((resource: SCIMMY.Resources.Group, ctx: unknown) => {
    const { store, record } = contextOf(ctx)
    const id = resource.id as string
    store.deleteGroup(id)
    record?.deleted.push(id)
  }) as never)

  handlersInstalled = true
}
