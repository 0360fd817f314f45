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
