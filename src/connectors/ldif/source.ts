// An LDIF file as a source: the scope (include/exclude bases, filter) applied as a
// directory would apply it.

import type { ScopeConfig } from '../../config/schema.js'
import { isUnder } from '../../core/dn.js'
import { compileFilter } from '../../core/filter.js'
import type { DirObject } from '../../core/model.js'
import type { ReadOptions, Source } from '../types.js'
import { type ByteRange, readLdif } from './reader.js'

export class LdifSource implements Source {
  readonly description: string
  private readonly matches: (obj: DirObject) => boolean
  private readonly filterAttributes: readonly string[]

  constructor(
    private readonly path: string,
    private readonly scope: ScopeConfig = { include: [], exclude: [], filter: '(objectClass=*)' },
    /** read only this part of the file (parallel readers) */
    private readonly range?: ByteRange,
  ) {
    this.description = `LDIF file ${path}`
    const compiled = compileFilter(scope.filter, 'source.scope.filter')
    this.matches = compiled.matches
    this.filterAttributes = compiled.attributes
  }

  async *read(options: ReadOptions): AsyncGenerator<DirObject> {
    const { include, exclude } = this.scope
    let n = 0
    // attributes the scope filter looks at must be kept too
    const attributes = [...options.attributes, ...this.filterAttributes]
    for await (const rec of readLdif(this.path, this.range, attributes)) {
      if (include.length > 0 && !include.some((b) => isUnder(rec.dn, b))) continue
      if (exclude.some((b) => isUnder(rec.dn, b))) continue
      if (!this.matches(rec)) continue
      options.onProgress?.(++n)
      yield rec
    }
  }

  async close(): Promise<void> {}
}
