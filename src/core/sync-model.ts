// The vocabulary of synchronization (DESIGN.md): snapshot records read from the source,
// desired objects per target (the mapping's output), the target state idsync keeps,
// and the operations of a plan, each with its reason. Plain data, no I/O.

export type SyncKind = 'user' | 'group' | 'contact'

/** A source object as last read, keyed by anchor; references resolved to anchors. */
export interface SnapshotRecord {
  anchor: string
  /** objectGUID (base64), to recognise the object's tombstone when the anchor is another GUID */
  guid: string | null
  dn: string
  kind: SyncKind
  /** the attributes read, names in lower case, single values as strings, multi-valued as arrays */
  attrs: Record<string, string | string[]>
  /**
   * groups: references to the members, `guid:<base64 objectGUID>` (from AD's extended DNs,
   * stable across renames) or `dn:<normalised DN>`; members outside the scope included
   */
  memberRefs?: string[]
  /** users: a reference to the manager, as for members */
  managerRef?: string | null
  /** resolved from the refs against the snapshot (in-scope objects only), before mapping */
  members?: string[]
  manager?: string | null
  /** users: userAccountControl has ACCOUNTDISABLE (2) */
  disabled: boolean
}

/**
 * Target attributes as a flat map of paths: `userName`, `name.givenName`,
 * `emails.work`, `enterprise.department`, … Values are strings or booleans; null means
 * "no value" (removed on update). A reference to another object (`enterprise.manager`)
 * holds that object's anchor in desired state, its target id when sent.
 */
export type FlatAttrs = Record<string, string | boolean | null>

/** The paths whose values are references to other objects (by anchor). */
export const REFERENCE_PATHS: ReadonlySet<string> = new Set(['enterprise.manager'])

/** What a target should hold for one source object. */
export interface DesiredObject {
  anchor: string
  kind: SyncKind
  attrs: FlatAttrs
  /** groups: member anchors (users, and groups when nested groups are kept) */
  members?: string[]
  /** users disabled in the source are kept, inactive */
  active: boolean
}

export type TargetObjectState = 'active' | 'disabled' | 'orphaned'

/** What idsync knows it wrote to a target for one anchor (the store's target state). */
export interface TargetRow {
  anchor: string
  kind: SyncKind
  targetId: string
  /** the attributes as last exported (references as anchors) */
  attrs: FlatAttrs
  /** groups: member anchors as last exported */
  members: string[]
  state: TargetObjectState
  /** when idsync disabled it because it left the scope (disable-then-delete counts from here) */
  disabledAt: string | null
}

/** A change of one attribute, with the value before and after (null: none). */
export interface AttrChange {
  path: string
  from: string | boolean | null
  to: string | boolean | null
}

interface OpBase {
  kind: SyncKind
  anchor: string
  /** why, in words an administrator reads in `plan` and `explain` */
  reason: string
}

export type Op =
  | (OpBase & {
      op: 'create'
      attrs: FlatAttrs
      members?: string[] /** creates run in waves: a manager before the people who report to it */
      wave?: number
    })
  | (OpBase & {
      op: 'match'
      targetId: string
      via: 'externalId' | 'userName' | 'email' | 'displayName'
      attrs: FlatAttrs
      members?: string[]
    })
  | (OpBase & { op: 'update' | 'rename'; targetId: string; changes: AttrChange[] })
  | (OpBase & { op: 'disable'; targetId: string; cause: RemovalCause; changes: AttrChange[] })
  | (OpBase & { op: 'delete'; targetId: string; cause: RemovalCause })
  | (OpBase & { op: 'add-members' | 'remove-members'; targetId: string; members: string[] })

export type OpType = Op['op']

/** Why an object goes: deleted in the source, out of the scope, disabled in the source, or disabled long enough ago. */
export type RemovalCause = 'deleted' | 'out-of-scope' | 'disabled-in-source' | 'grace-period-over'

export interface PlanCounts {
  create: number
  match: number
  update: number
  rename: number
  disable: number
  delete: number
  'add-members': number
  'remove-members': number
  /** groups that left the scope and stay in the target untouched (onDelete: disable) */
  orphaned: number
}

export interface Plan {
  target: string
  /** in the order they run: creates and matches, updates, memberships, disables, deletes */
  ops: Op[]
  counts: PlanCounts
  /** per kind, how many objects idsync manages in the target now (the base of maxDeletePercent) */
  managed: Record<SyncKind, number>
  /** groups left in the target untouched because they left the scope */
  orphaned: string[]
  /** users already disabled that left the scope now: their deleteAfterDays starts (store only) */
  clocks: string[]
  /** in the target but not exportable now (a required attribute is empty): left as they are */
  held: string[]
}

export const emptyCounts = (): PlanCounts => ({
  create: 0,
  match: 0,
  update: 0,
  rename: 0,
  disable: 0,
  delete: 0,
  'add-members': 0,
  'remove-members': 0,
  orphaned: 0,
})

/** Where an incremental read resumes: a DC's USN, bound to that DC's identity. */
export interface SourceCursor {
  kind: 'usn'
  /** the DC's dsServiceName (its NTDS Settings DN) */
  server: string
  /** the DC's invocationId (base64): it changes when the DC is restored, and so must the cursor */
  invocationId: string
  /** highestCommittedUSN when the read started */
  usn: string
}

/** An object as a target holds it, in the flat attribute paths of sync-model.ts. */
export interface TargetObject {
  id: string
  kind: SyncKind
  externalId: string | null
  /** what the target reports back (references as target ids) */
  attrs: FlatAttrs
  /** groups: member target ids */
  members?: string[]
}
