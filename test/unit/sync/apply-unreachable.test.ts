// A target that stops answering: the run gives up after a few operations have failed on
// the network in a row (each already retried), instead of retrying every operation of a
// large plan for minutes; with nothing applied that is "could not run".
import { describe, expect, it } from 'vitest'
import { applyPlan } from '../../../src/app/apply.js'
import { type Target, TargetError } from '../../../src/connectors/types.js'
import type { Op } from '../../../src/core/sync-model.js'
import { openSqliteStore } from '../../../src/store/sqlite/store.js'

function creates(n: number): Op[] {
  return Array.from({ length: n }, (_, i) => ({
    op: 'create' as const,
    kind: 'user' as const,
    anchor: `a${i}`,
    targetId: '',
    attrs: { externalId: `a${i}`, userName: `u${i}@x.com` },
    reason: 'new in scope',
  }))
}

/** A target whose creates succeed `okFirst` times, then fail as a dead network would. */
function target(okFirst: number): Target & { calls: number } {
  const t = {
    name: 't',
    type: 'test',
    kinds: ['user' as const],
    calls: 0,
    async *list() {},
    findByExternalId: async () => null,
    findByName: async () => null,
    findByEmail: async () => null,
    async create(_kind: string, attrs: Record<string, unknown>) {
      t.calls++
      if (t.calls > okFirst)
        throw new TargetError('network', 'scim target "t": create failed: ECONNREFUSED', null, null)
      return { id: `id-${String(attrs.externalId)}`, attrs: {}, members: [] }
    },
    update: async () => {},
    delete: async () => {},
    addMembers: async () => {},
    removeMembers: async () => {},
    close: async () => {},
  }
  return t as unknown as Target & { calls: number }
}

async function run(t: Target, ops: Op[]) {
  const store = openSqliteStore(':memory:')
  await store.sync.startRun({ id: 'r1', target: 't', kind: 'sync', started: new Date().toISOString() })
  return applyPlan(ops, new Map(), {
    target: t,
    store,
    targetName: 't',
    runId: 'r1',
    concurrency: 2,
    match: 'anchor',
    now: () => new Date(),
  })
}

describe('a target that does not answer', () => {
  it('is "could not run" when nothing got through, and the rest is not attempted', async () => {
    const t = target(0)
    await expect(run(t, creates(100))).rejects.toThrow(/the target does not answer \(3 operations in a row/)
    expect(t.calls).toBeLessThanOrEqual(4)
  })

  it('stops a run whose target went away half-way, keeping what was applied', async () => {
    const t = target(10)
    const r = await run(t, creates(100))
    expect(r.applied).toBe(10)
    expect(r.failed).toBeLessThanOrEqual(4)
    expect(r.stopped).toMatch(/stopped answering; \d+ operations were not attempted/)
  })
})
