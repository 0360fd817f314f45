// The connector interfaces. A source yields directory objects as a stream; a read that
// fails or is cut short throws: it never ends early as if complete. Optional
// capabilities (incremental reads, write-back) are separate interfaces.
import { IdsyncError } from '../core/errors.js'
import type { DirObject } from '../core/model.js'
import type { FlatAttrs, SourceCursor, SyncKind, TargetObject } from '../core/sync-model.js'

export type { SourceCursor, TargetObject }

export interface ReadOptions {
  /** LDAP attribute names to read; sources that hold whole records may return more */
  attributes: readonly string[]
  /** called once per object read, for progress */
  onProgress?: (count: number) => void
  /**
   * DN-valued attributes (member, manager) as AD extended DNs, `<GUID=…>;<SID=…>;DN`, so
   * that references survive renames and moves (sources without them give plain DNs)
   */
  extendedDn?: boolean
}

export interface Source {
  /** where the objects come from, for messages (never contains a secret) */
  readonly description: string
  read(options: ReadOptions): AsyncIterable<DirObject>
  close(): Promise<void>
}

/** One attribute of one object as the directory holds it now, byte for byte. */
export interface ReadBack {
  /** the object's DN now (it may have moved since it was scanned) */
  dn: string
  /** its anchor as read now (mS-DS-ConsistencyGuid, else objectGUID), for the journal */
  anchor: string | null
  values: Buffer[]
}

export interface AddressHolder {
  dn: string
  attributes: ('userPrincipalName' | 'mail' | 'proxyAddresses')[]
}

/** A source that accepts fixes: value-level changes, each one request. */
export interface WritableDirectory {
  readonly description: string
  /** connect and bind once; a failure here means the batch cannot run (nothing journaled) */
  connect(): Promise<void>
  /** by anchor when known (finds moved objects), else by DN; null when the object is gone */
  read(dn: string, anchor: string | null, attribute: string): Promise<ReadBack | null>
  /** delete `remove` and add `add` in one modify request */
  modify(dn: string, attribute: string, remove: readonly Buffer[], add: readonly Buffer[]): Promise<void>
  /** replace every value (undo --force) */
  replace(dn: string, attribute: string, values: readonly Buffer[]): Promise<void>
  /** the objects holding an address as UPN, mail or smtp: proxy address */
  addressHolders(address: string): Promise<AddressHolder[]>
  /** the objects whose `attribute` equals `value`, domain-wide, with their GUIDs (base64) */
  holders(attribute: string, value: string): Promise<{ dn: string; guids: string[] }[]>
  close(): Promise<void>
}

// ---------------------------------------------------------------- incremental reads

export interface DeltaResult {
  /** objects created, changed, moved or renamed since the cursor (and everything under a renamed or moved OU) */
  changed: DirObject[]
  /** objectGUIDs (base64) of objects deleted since the cursor (their tombstones) */
  deletedGuids: string[]
  /** DNs of the OUs/containers that changed (renamed or moved), whose subtrees were read again */
  containers: string[]
  /** where the next incremental read resumes */
  cursor: SourceCursor
}

/**
 * A source that can say what changed. `changesSince` reads the whole naming context
 * (not only the scope): the caller decides what entered or left the scope. It returns
 * null when the cursor cannot be used (another DC, a restored DC, a USN from the future):
 * the caller then does a full read.
 */
export interface IncrementalSource extends Source {
  /** the position to resume from after a full read that starts now */
  currentCursor(): Promise<SourceCursor>
  changesSince(cursor: SourceCursor, options: ReadOptions): Promise<DeltaResult | null>
}

export const isIncremental = (s: Source): s is IncrementalSource =>
  typeof (s as Partial<IncrementalSource>).changesSince === 'function'

// ---------------------------------------------------------------- targets

/**
 * A directory idsync provisions. Every method is idempotent where the protocol allows:
 * deleting what is gone succeeds, adding a member twice is one member. Connectors pace
 * and retry their own requests (rate limits, Retry-After) and throw TargetError.
 */
export interface Target {
  readonly name: string
  readonly type: string
  /** the kinds this target holds */
  readonly kinds: readonly SyncKind[]
  list(kind: SyncKind): AsyncIterable<TargetObject>
  findByExternalId(kind: SyncKind, externalId: string): Promise<TargetObject | null>
  /** users by userName, groups by displayName */
  findByName(kind: SyncKind, name: string): Promise<TargetObject | null>
  findByEmail(email: string): Promise<TargetObject | null>
  /** attrs hold the externalId (path `externalId`) and references as target ids */
  create(kind: SyncKind, attrs: FlatAttrs, members?: readonly string[]): Promise<TargetObject>
  /** set the given paths; a null value removes the attribute */
  update(kind: SyncKind, id: string, attrs: FlatAttrs): Promise<void>
  delete(kind: SyncKind, id: string): Promise<void>
  addMembers(groupId: string, memberIds: readonly string[]): Promise<void>
  removeMembers(groupId: string, memberIds: readonly string[]): Promise<void>
  close(): Promise<void>
}

/** The types of export errors `status` and `explain` group by. */
export type TargetErrorType =
  | 'duplicate'
  | 'invalid'
  | 'not-found'
  | 'permission'
  | 'throttled'
  | 'server'
  | 'network'

export class TargetError extends IdsyncError {
  constructor(
    readonly type: TargetErrorType,
    message: string,
    /** the HTTP status, when there was one */
    readonly status: number | null,
    /** the target's own words (detail), for status and explain; never a secret */
    readonly targetMessage: string | null,
    options?: { cause?: unknown },
  ) {
    super('ERR_TARGET', message, options)
    this.name = 'TargetError'
  }
}
