// The connector interfaces. A source yields directory objects as a stream; a read that
// fails or is cut short throws: it never ends early as if complete. Optional
// capabilities (incremental reads, write-back) are separate interfaces.
import type { DirObject } from '../core/model.js'

export interface ReadOptions {
  /** LDAP attribute names to read; sources that hold whole records may return more */
  attributes: readonly string[]
  /** called once per object read, for progress */
  onProgress?: (count: number) => void
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
  values: Buffer[]
}

/** A source that accepts fixes: value-level changes, each one request. */
export interface WritableDirectory {
  readonly description: string
  /** by anchor when known (finds moved objects), else by DN; null when the object is gone */
  read(dn: string, anchor: string | null, attribute: string): Promise<ReadBack | null>
  /** delete `remove` and add `add` in one modify request */
  modify(dn: string, attribute: string, remove: readonly Buffer[], add: readonly Buffer[]): Promise<void>
  /** replace every value (undo --force) */
  replace(dn: string, attribute: string, values: readonly Buffer[]): Promise<void>
  /** DNs of the objects holding an address as UPN, mail or smtp: proxy address */
  addressHolders(address: string): Promise<string[]>
  close(): Promise<void>
}
