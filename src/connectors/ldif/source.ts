// An LDIF file as a source: the scope (include/exclude bases, filter) applied as a
// directory would apply it.

import type { ScopeConfig } from '../../config/schema.js'
import { isUnder } from '../../core/dn.js'
import { compileFilter } from '../../core/filter.js'
import type { DirObject } from '../../core/model.js'
import type { ReadOptions, Source } from '../types.js'
import { type ByteRange, readLdif } from './reader.js'

export interface LdifSourceOptions {
  /**
   * refuse a file whose last line has no newline, as truncated (a sync must not take a
   * copy cut off mid-record for the whole directory); without it such a file is read,
   * and `endsWithNewline` says so
   */
  requireFinalNewline?: boolean
}

export class LdifSource implements Source {
  readonly description: string
  /** after a read to the end: false when the last line had no newline (likely truncated) */
  endsWithNewline: boolean | null = null
  /**
   * after a read to the end: the include bases the file holds (the base entry, or any
   * entry under it, whether or not it passed the filter); one it lacks was renamed or moved
   */
  presentBases: Set<string> | null = null
  private readonly matches: (obj: DirObject) => boolean
  private readonly filterAttributes: readonly string[]

  constructor(
    private readonly path: string,
    private readonly scope: ScopeConfig = { include: [], exclude: [], filter: '(objectClass=*)' },
    /** read only this part of the file (parallel readers) */
    private readonly range?: ByteRange,
    private readonly options: LdifSourceOptions = {},
  ) {
    this.description = `LDIF file ${path}`
    const compiled = compileFilter(scope.filter, 'source.scope.filter')
    this.matches = compiled.matches
    this.filterAttributes = compiled.attributes
  }

  /** A warning for the operator about the file as read, or null. */
  get warning(): string | null {
    return this.endsWithNewline === false
      ? `${this.path}: the last line does not end with a newline: the file may be truncated (a copy cut off mid-record); its last record was read as it is`
      : null
  }

  async *read(options: ReadOptions): AsyncGenerator<DirObject> {
    const { include, exclude } = this.scope
    let n = 0
    // attributes the scope filter looks at must be kept too
    const attributes = [...options.attributes, ...this.filterAttributes]
    const records = readLdif(this.path, {
      range: this.range,
      attributes,
      requireFinalNewline: this.options.requireFinalNewline ?? false,
      onEnd: (end) => {
        this.endsWithNewline = end.endsWithNewline
      },
    })
    const present = new Set<string>()
    for await (const rec of records) {
      const base = include.length > 0 ? include.find((b) => isUnder(rec.dn, b)) : undefined
      if (include.length > 0 && base === undefined) continue
      if (base !== undefined) present.add(base)
      if (exclude.some((b) => isUnder(rec.dn, b))) continue
      if (!this.matches(rec)) continue
      options.onProgress?.(++n)
      yield rec
    }
    this.presentBases = present
  }

  async close(): Promise<void> {}
}
