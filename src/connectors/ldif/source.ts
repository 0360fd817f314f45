// An LDIF file as a source: the scope (include/exclude bases, filter) applied as a
// directory would apply it.

import type { ScopeConfig } from '../../config/schema.js'
import { isUnder } from '../../core/dn.js'
import { compileFilter } from '../../core/filter.js'
import type { DirObject } from '../../core/model.js'
import type { ReadOptions, Source } from '../types.js'
import { readLdif } from './reader.js'

export class LdifSource implements Source {
  readonly description: string
  private readonly matches: (obj: DirObject) => boolean

  constructor(
    private readonly path: string,
    private readonly scope: ScopeConfig = { include: [], exclude: [], filter: '(objectClass=*)' },
  ) {
    this.description = `LDIF file ${path}`
    this.matches = compileFilter(scope.filter, 'source.scope.filter')
  }

  async *read(options: ReadOptions): AsyncGenerator<DirObject> {
    const { include, exclude } = this.scope
    let n = 0
    for await (const rec of readLdif(this.path)) {
      if (include.length > 0 && !include.some((b) => isUnder(rec.dn, b))) continue
      if (exclude.some((b) => isUnder(rec.dn, b))) continue
      if (!this.matches(rec)) continue
      options.onProgress?.(++n)
      yield rec
    }
  }

  async close(): Promise<void> {}
}
