// The `preview` target: what a cloud directory would hold, kept in the local store instead.
// It answers like a real target where it matters to a plan: server-made UUID ids, a unique
// userName (a clash is TargetError 'duplicate'), members that must exist, and a deleted
// object leaves every group it was a member of.
import { randomUUID } from 'node:crypto'
import type { FlatAttrs, SyncKind } from '../../core/sync-model.js'
import type { PreviewStore } from '../../store/types.js'
import { type Target, TargetError, type TargetObject } from '../types.js'

export interface PreviewTargetOptions {
  /** the kinds it holds; default users, groups and contacts */
  kinds?: readonly SyncKind[]
}

/** The lookup keys the store indexes: userName (groups and contacts: displayName) and the work email. */
function indexOf(obj: TargetObject): { name: string | null; email: string | null } {
  const name = obj.kind === 'user' ? obj.attrs.userName : obj.attrs.displayName
  const email =
    obj.attrs['emails.work'] ?? Object.entries(obj.attrs).find(([k]) => k.startsWith('emails.'))?.[1]
  return { name: typeof name === 'string' ? name : null, email: typeof email === 'string' ? email : null }
}

function setAttrs(into: FlatAttrs, attrs: FlatAttrs): void {
  for (const [path, value] of Object.entries(attrs)) {
    if (value === null) delete into[path]
    else into[path] = value
  }
}

export class PreviewTarget implements Target {
  readonly type = 'preview'
  readonly kinds: readonly SyncKind[]
  /** writes run one at a time: each reads, changes and writes back a whole object */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(
    readonly name: string,
    private readonly store: PreviewStore,
    options: PreviewTargetOptions = {},
  ) {
    this.kinds = options.kinds ?? ['user', 'group', 'contact']
  }

  async *list(kind: SyncKind): AsyncIterable<TargetObject> {
    yield* await this.store.list(this.name, kind)
  }

  findByExternalId(kind: SyncKind, externalId: string): Promise<TargetObject | null> {
    return this.#one(kind, 'externalId', externalId)
  }

  findByName(kind: SyncKind, name: string): Promise<TargetObject | null> {
    return this.#one(kind, 'name', name)
  }

  findByEmail(email: string): Promise<TargetObject | null> {
    return this.#one('user', 'email', email)
  }

  /** The one object that matches, or none; several is an answer no link may be made from. */
  async #one(
    kind: SyncKind,
    by: 'externalId' | 'name' | 'email',
    value: string,
  ): Promise<TargetObject | null> {
    const found = await this.store.find(this.name, kind, by, value)
    if (found.length > 1)
      throw this.#error('duplicate', `find ${kind} by ${by}`, `more than one ${kind} has this ${by}`)
    return found[0] ?? null
  }

  create(kind: SyncKind, attrs: FlatAttrs, members: readonly string[] = []): Promise<TargetObject> {
    return this.#serial(async () => {
      const obj: TargetObject = {
        id: randomUUID(),
        kind,
        externalId: typeof attrs.externalId === 'string' ? attrs.externalId : null,
        attrs: {},
      }
      setAttrs(obj.attrs, attrs)
      const required = kind === 'user' ? 'userName' : 'displayName'
      if (typeof obj.attrs[required] !== 'string' || obj.attrs[required] === '')
        throw this.#error('invalid', `create ${kind}`, `${required} is required`)
      await this.#checkUnique(obj, `create ${kind}`)
      if (kind === 'group') obj.members = await this.#existing([...new Set(members)], `create ${kind}`)
      await this.store.put(this.name, obj, indexOf(obj))
      return obj
    })
  }

  update(kind: SyncKind, id: string, attrs: FlatAttrs): Promise<void> {
    return this.#serial(async () => {
      const what = `update ${kind} ${id}`
      const obj = await this.#get(kind, id, what)
      setAttrs(obj.attrs, attrs)
      if ('externalId' in attrs)
        obj.externalId = typeof attrs.externalId === 'string' ? attrs.externalId : null
      await this.#checkUnique(obj, what)
      await this.store.put(this.name, obj, indexOf(obj))
    })
  }

  delete(kind: SyncKind, id: string): Promise<void> {
    return this.#serial(async () => {
      if (!(await this.store.get(this.name, kind, id))) return
      await this.store.delete(this.name, kind, id)
      for (const group of await this.store.groupsWithMember(this.name, id)) {
        group.members = (group.members ?? []).filter((m) => m !== id)
        await this.store.put(this.name, group, indexOf(group))
      }
    })
  }

  addMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    return this.#serial(async () => {
      const what = `add members to group ${groupId}`
      const group = await this.#get('group', groupId, what)
      const before = new Set(group.members ?? [])
      const added = await this.#existing(
        [...new Set(memberIds)].filter((m) => !before.has(m)),
        what,
      )
      if (added.length === 0) return
      group.members = [...before, ...added]
      await this.store.put(this.name, group, indexOf(group))
    })
  }

  removeMembers(groupId: string, memberIds: readonly string[]): Promise<void> {
    return this.#serial(async () => {
      const group = await this.#get('group', groupId, `remove members from group ${groupId}`)
      const gone = new Set(memberIds)
      const members = (group.members ?? []).filter((m) => !gone.has(m))
      if (members.length === (group.members ?? []).length) return
      group.members = members
      await this.store.put(this.name, group, indexOf(group))
    })
  }

  async close(): Promise<void> {
    // the store belongs to the caller
    await this.#queue
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn)
    this.#queue = run.catch(() => {})
    return run
  }

  async #get(kind: SyncKind, id: string, what: string): Promise<TargetObject> {
    const obj = await this.store.get(this.name, kind, id)
    if (!obj) throw this.#error('not-found', what, 'the object does not exist')
    return obj
  }

  /** userName is unique among users, case-insensitively, as in SCIM (RFC 7643 §4.1.1). */
  async #checkUnique(obj: TargetObject, what: string): Promise<void> {
    if (obj.kind !== 'user' || typeof obj.attrs.userName !== 'string') return
    const found = await this.store.find(this.name, 'user', 'name', obj.attrs.userName)
    if (found.some((o) => o.id !== obj.id))
      throw this.#error('duplicate', what, 'another user has this userName')
  }

  /** The ids as they are, or 'invalid' when one is neither a user, a group nor a contact here. */
  async #existing(ids: string[], what: string): Promise<string[]> {
    for (const id of ids) {
      let found = false
      for (const kind of this.kinds) if (!found && (await this.store.get(this.name, kind, id))) found = true
      if (!found) throw this.#error('invalid', what, `member ${id} does not exist`)
    }
    return ids
  }

  #error(type: 'invalid' | 'not-found' | 'duplicate', what: string, why: string): TargetError {
    return new TargetError(type, `preview target "${this.name}": ${what} failed (${type})`, null, why)
  }
}
