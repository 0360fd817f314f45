// The test SCIM server's in-memory storage for Users and Groups. Holds plain SCIM JSON (as scimmy coerced it on the
// way in); scimmy formats it again on the way out. Enforces what scimmy leaves to the storage layer:
// ids, meta, userName uniqueness (409 "uniqueness", RFC 7644 §3.3), member de-duplication and
// referential checks, and removing deleted resources from groups.
import { randomUUID } from 'node:crypto'
import SCIMMY from 'scimmy'
import { applyFilter } from './filter.js'
import { ensureScimmySchemas } from './scimmy-setup.js'

export type ScimJson = Record<string, unknown>

export interface StoredMeta {
  created: string
  lastModified: string
  /** Weak ETag, W/"n", bumped on every write. */
  version: string
}

export interface Member {
  value: string
  display?: string
  type?: 'User' | 'Group'
  $ref?: string
}

export interface StoredUser extends ScimJson {
  id: string
  userName: string
  externalId?: string
  meta: StoredMeta
}

export interface StoredGroup extends ScimJson {
  id: string
  displayName: string
  externalId?: string
  members?: Member[]
  meta: StoredMeta
}

export interface StoreOptions {
  /** 409 on a duplicate group displayName (case-insensitive). Default false (RFC doesn't require it). */
  uniqueGroupDisplayName?: boolean
  /** 400 invalidValue when a group member's value is not an existing User/Group id. Default true. */
  validateMembers?: boolean
}

export interface WriteResult<T> {
  resource: T
  created: boolean
  membersAdded: string[]
  membersRemoved: string[]
}

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
const READ_ONLY = new Set(['id', 'meta', 'schemas', 'groups'])

function scimError(status: number, scimType: string | null, detail: string): Error {
  return new SCIMMY.Types.Error(status, scimType as never, detail)
}

function clone<T>(v: T): T {
  return structuredClone(v)
}

function stripReadOnly(data: ScimJson): ScimJson {
  const out: ScimJson = {}
  for (const [k, v] of Object.entries(data)) if (!READ_ONLY.has(k) && v !== undefined) out[k] = v
  return out
}

function toPlain(instance: unknown): ScimJson {
  return JSON.parse(JSON.stringify(instance)) as ScimJson
}

export class ScimStore {
  readonly #users = new Map<string, StoredUser>()
  readonly #groups = new Map<string, StoredGroup>()
  readonly #options: Required<StoreOptions>

  constructor(options: StoreOptions = {}) {
    ensureScimmySchemas()
    this.#options = {
      uniqueGroupDisplayName: options.uniqueGroupDisplayName ?? false,
      validateMembers: options.validateMembers ?? true,
    }
  }

  // ---------------------------------------------------------------- inspection (copies)

  users(): StoredUser[] {
    return [...this.#users.values()].map(clone)
  }

  groups(): StoredGroup[] {
    return [...this.#groups.values()].map(clone)
  }

  getUser(id: string): StoredUser | undefined {
    const u = this.#users.get(id)
    return u && clone(u)
  }

  getGroup(id: string): StoredGroup | undefined {
    const g = this.#groups.get(id)
    return g && clone(g)
  }

  userByUserName(userName: string): StoredUser | undefined {
    const u = this.#findUserByUserName(userName)
    return u && clone(u)
  }

  userByExternalId(externalId: string): StoredUser | undefined {
    const u = [...this.#users.values()].find((x) => x.externalId === externalId)
    return u && clone(u)
  }

  groupByDisplayName(displayName: string): StoredGroup | undefined {
    const lower = displayName.toLowerCase()
    const g = [...this.#groups.values()].find((x) => x.displayName.toLowerCase() === lower)
    return g && clone(g)
  }

  /** Member ids of a group (empty if the group has none or doesn't exist). */
  memberIds(groupId: string): string[] {
    return (this.#groups.get(groupId)?.members ?? []).map((m) => m.value)
  }

  get userCount(): number {
    return this.#users.size
  }

  get groupCount(): number {
    return this.#groups.size
  }

  clear(): void {
    this.#users.clear()
    this.#groups.clear()
  }

  // ---------------------------------------------------------------- seeding (bypasses HTTP + faults)

  /** Create a user directly (validated by scimmy's User schema, enterprise extension included). */
  seedUser(data: ScimJson): StoredUser {
    const instance = new SCIMMY.Schemas.User(data, 'in')
    return clone(this.writeUser(undefined, toPlain(instance)).resource)
  }

  /** Create a group directly (validated by scimmy's Group schema). */
  seedGroup(data: ScimJson): StoredGroup {
    const instance = new SCIMMY.Schemas.Group(data, 'in')
    return clone(this.writeGroup(undefined, toPlain(instance)).resource)
  }

  // ---------------------------------------------------------------- used by the scimmy handlers

  /** Create (id undefined) or replace (id given) a user from scimmy-coerced JSON. */
  writeUser(id: string | undefined, data: ScimJson): WriteResult<StoredUser> {
    const body = stripReadOnly(data)
    const userName = body.userName
    if (typeof userName !== 'string' || userName.length === 0)
      throw scimError(400, 'invalidValue', "Required attribute 'userName' is missing")
    const existing = id === undefined ? undefined : this.#users.get(id)
    if (id !== undefined && !existing) throw scimError(404, null, `Resource ${id} not found`)
    const clash = this.#findUserByUserName(userName)
    if (clash && clash.id !== id)
      throw scimError(409, 'uniqueness', `userName '${userName}' is already in use by another User`)
    const resource = { ...body, id: id ?? randomUUID(), userName } as StoredUser
    resource.meta = existing && sameContent(existing, resource) ? existing.meta : nextMeta(existing?.meta)
    this.#users.set(resource.id, resource)
    return { resource, created: !existing, membersAdded: [], membersRemoved: [] }
  }

  /** Create (id undefined) or replace (id given) a group from scimmy-coerced JSON. */
  writeGroup(id: string | undefined, data: ScimJson): WriteResult<StoredGroup> {
    const body = stripReadOnly(data)
    const displayName = body.displayName
    if (typeof displayName !== 'string' || displayName.length === 0)
      throw scimError(400, 'invalidValue', "Required attribute 'displayName' is missing")
    const existing = id === undefined ? undefined : this.#groups.get(id)
    if (id !== undefined && !existing) throw scimError(404, null, `Resource ${id} not found`)
    if (this.#options.uniqueGroupDisplayName) {
      const clash = [...this.#groups.values()].find(
        (g) => g.displayName.toLowerCase() === displayName.toLowerCase(),
      )
      if (clash && clash.id !== id)
        throw scimError(409, 'uniqueness', `displayName '${displayName}' is already in use by another Group`)
    }
    const newId = id ?? randomUUID()
    const members = this.#normaliseMembers(newId, body.members)
    const before = new Set((existing?.members ?? []).map((m) => m.value))
    const after = new Set(members.map((m) => m.value))
    const resource = { ...body, id: newId, displayName } as StoredGroup
    if (members.length) resource.members = members
    else delete resource.members
    resource.meta = existing && sameContent(existing, resource) ? existing.meta : nextMeta(existing?.meta)
    this.#groups.set(newId, resource)
    return {
      resource,
      created: !existing,
      membersAdded: [...after].filter((v) => !before.has(v)),
      membersRemoved: [...before].filter((v) => !after.has(v)),
    }
  }

  deleteUser(id: string): void {
    if (!this.#users.delete(id)) throw scimError(404, null, `Resource ${id} not found`)
    this.#dropMember(id)
  }

  deleteGroup(id: string): void {
    if (!this.#groups.delete(id)) throw scimError(404, null, `Resource ${id} not found`)
    this.#dropMember(id)
  }

  /** Users for egress: filtered, with the readOnly `groups` attribute computed. */
  queryUsers(filter: SCIMMY.Types.Filter | undefined): ScimJson[] {
    const all = [...this.#users.values()].map((u) => this.#withGroups(u))
    return applyFilter(filter, all, SCIMMY.Schemas.User.definition)
  }

  /** Groups for egress: filtered, with member display/type filled from the referenced resources. */
  queryGroups(filter: SCIMMY.Types.Filter | undefined): ScimJson[] {
    const all = [...this.#groups.values()].map((g) => this.#withMemberDetails(g))
    return applyFilter(filter, all, SCIMMY.Schemas.Group.definition)
  }

  userForEgress(id: string): ScimJson | undefined {
    const u = this.#users.get(id)
    return u && this.#withGroups(u)
  }

  groupForEgress(id: string): ScimJson | undefined {
    const g = this.#groups.get(id)
    return g && this.#withMemberDetails(g)
  }

  // ---------------------------------------------------------------- internals

  #findUserByUserName(userName: string): StoredUser | undefined {
    const lower = userName.toLowerCase()
    for (const u of this.#users.values()) if (u.userName.toLowerCase() === lower) return u
    return undefined
  }

  #normaliseMembers(groupId: string, raw: unknown): Member[] {
    if (raw === undefined || raw === null) return []
    if (!Array.isArray(raw)) throw scimError(400, 'invalidValue', "Attribute 'members' must be multi-valued")
    const seen = new Set<string>()
    const out: Member[] = []
    for (const m of raw as Array<Record<string, unknown>>) {
      const value = m?.value
      if (typeof value !== 'string' || value.length === 0)
        throw scimError(400, 'invalidValue', "Group member is missing its 'value'")
      if (seen.has(value)) continue
      seen.add(value)
      const isUser = this.#users.has(value)
      const isGroup = !isUser && this.#groups.has(value)
      if (this.#options.validateMembers && !isUser && !isGroup)
        throw scimError(400, 'invalidValue', `Group member '${value}' does not exist`)
      if (value === groupId) throw scimError(400, 'invalidValue', 'A group cannot be a member of itself')
      const member: Member = { value }
      const type =
        m.type === 'User' || m.type === 'Group' ? m.type : isUser ? 'User' : isGroup ? 'Group' : undefined
      if (type) member.type = type
      // display of an existing member is computed on egress; only keep it for dangling references
      if (typeof m.display === 'string' && !isUser && !isGroup) member.display = m.display
      out.push(member)
    }
    return out
  }

  #dropMember(id: string): void {
    for (const g of this.#groups.values()) {
      if (!g.members?.some((m) => m.value === id)) continue
      g.members = g.members.filter((m) => m.value !== id)
      if (g.members.length === 0) delete g.members
      g.meta = nextMeta(g.meta)
    }
  }

  #withGroups(u: StoredUser): ScimJson {
    const groups = [...this.#groups.values()]
      .filter((g) => g.members?.some((m) => m.value === u.id))
      .map((g) => ({ value: g.id, display: g.displayName, type: 'direct' }))
    const out: ScimJson = clone(u)
    if (groups.length) out.groups = groups
    return out
  }

  #withMemberDetails(g: StoredGroup): ScimJson {
    const out = clone(g)
    if (out.members) {
      out.members = out.members.map((m) => {
        const u = this.#users.get(m.value)
        const sub = this.#groups.get(m.value)
        const display = u
          ? ((u.displayName as string | undefined) ?? u.userName)
          : sub
            ? sub.displayName
            : m.display
        const member: Member = { value: m.value }
        if (display !== undefined) member.display = display
        if (m.type) member.type = m.type
        return member
      })
    }
    return out
  }
}

/** Same stored content, ignoring meta and key order (a no-op PUT/PATCH keeps meta/version). */
function sameContent(a: ScimJson, b: ScimJson): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([k, x]) => k !== 'meta' && x !== undefined)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, canon(x)]),
          )
        : v
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b))
}

function nextMeta(prev: StoredMeta | undefined): StoredMeta {
  const ts = new Date().toISOString()
  const n = prev ? Number(/\d+/.exec(prev.version)?.[0] ?? '0') + 1 : 1
  return { created: prev?.created ?? ts, lastModified: ts, version: `W/"${n}"` }
}
