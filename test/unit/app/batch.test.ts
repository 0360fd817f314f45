// One change the directory refuses (insufficient access) fails alone; the batch goes on.
import { describe, expect, it } from 'vitest'
import { runBatch } from '../../../src/app/batch.js'
import type { PlannedChange } from '../../../src/app/changes.js'
import type { ReadBack, WritableDirectory } from '../../../src/connectors/types.js'
import { IdsyncError } from '../../../src/core/errors.js'
import { openSqliteStore } from '../../../src/store/sqlite/store.js'

/** A directory of three users' displayNames that refuses writes to CN=B (an AdminSDHolder-protected account). */
function directory(): WritableDirectory & { values: Map<string, string> } {
  const values = new Map([
    ['CN=A', 'a '],
    ['CN=B', 'b '],
    ['CN=C', 'c '],
  ])
  return {
    description: 'LDAP test',
    values,
    connect: async () => {},
    read: async (dn): Promise<ReadBack | null> => ({
      dn,
      anchor: null,
      values: values.has(dn) ? [Buffer.from(values.get(dn) as string)] : [],
    }),
    modify: async (dn, _attribute, _remove, add) => {
      if (dn === 'CN=B')
        throw new IdsyncError('ERR_LDAP_AUTH', 'ldaps://dc: insufficient access rights (LDAP result 50)')
      values.set(dn, String(add[0]))
    },
    replace: async () => {},
    addressHolders: async () => [],
    holders: async () => [],
    close: async () => {},
  }
}

const edit = (dn: string, from: string, to: string): PlannedChange => ({
  dn,
  anchor: null,
  attribute: 'displayName',
  action: 'edit',
  multiValued: false,
  oldValue: from,
  newValue: to,
})

describe('a batch where the directory refuses one change', () => {
  it('records that change as failed, with the reason, and applies the others', async () => {
    const dir = directory()
    const store = openSqliteStore(':memory:')
    const out = await runBatch(
      dir,
      store,
      [edit('CN=A', 'a ', 'a'), edit('CN=B', 'b ', 'b'), edit('CN=C', 'c ', 'c')],
      {
        kind: 'fix',
        operator: 'test',
        apply: true,
      },
    )
    expect(out.results.map((r) => r.status)).toEqual(['applied', 'failed', 'applied'])
    expect(out.results[1]?.reason).toMatch(/insufficient access/)
    expect(out.status).toBe('partial')
    expect([...dir.values.values()]).toEqual(['a', 'b ', 'c'])
  })
})
