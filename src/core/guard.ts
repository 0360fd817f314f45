// The guard: a plan that would delete or disable more than the thresholds allow, or
// that removes objects after the scope itself changed, is not applied. Pure: the caller
// says whether the scope changed and whether this exact plan was approved.
import type { Plan, SyncKind } from './sync-model.js'

/** The thresholds (the `guard:` section of the config). */
export interface GuardThresholds {
  maxDeletes: number
  maxDeletePercent: number
  maxDisables: number
}

export interface GuardVerdict {
  /** true: the plan may be applied */
  pass: boolean
  /** why it is stopped (empty when it passes); each line names the threshold and the figure */
  reasons: string[]
  deletes: number
  /** disables caused by objects leaving (out of scope, deleted, disabled in the source) */
  disables: number
}

export interface GuardInput {
  plan: Plan
  guard: GuardThresholds
  /** the scope (include/exclude/filter) differs from the one of the last sync */
  scopeChanged: string | null
  /** --allow-deletes, or an approval of this exact plan */
  allowed: boolean
}

const KIND_NAMES: Record<SyncKind, string> = { user: 'users', contact: 'contacts', group: 'groups' }

export function checkGuard({ plan, guard, scopeChanged, allowed }: GuardInput): GuardVerdict {
  const reasons: string[] = []
  const deletes = plan.ops.filter((o) => o.op === 'delete').length
  const disables = plan.ops.filter((o) => o.op === 'disable').length
  if (deletes > guard.maxDeletes)
    reasons.push(`${deletes} deletions, more than guard.maxDeletes (${guard.maxDeletes})`)
  if (disables > guard.maxDisables)
    reasons.push(`${disables} disables, more than guard.maxDisables (${guard.maxDisables})`)
  for (const kind of ['user', 'group', 'contact'] as const) {
    const managed = plan.managed[kind]
    if (managed === 0) continue
    const gone = plan.ops.filter(
      (o) =>
        (o.op === 'delete' || (o.op === 'disable' && o.cause !== 'disabled-in-source')) && o.kind === kind,
    ).length
    const percent = (gone * 100) / managed
    if (percent > guard.maxDeletePercent) {
      reasons.push(
        `${gone} of the ${managed} ${KIND_NAMES[kind]} idsync manages would be removed (${percent.toFixed(1)} %, more than guard.maxDeletePercent ${guard.maxDeletePercent} %)`,
      )
    }
  }
  const removing = plan.ops.some(
    (o) => o.op === 'delete' || (o.op === 'disable' && o.cause !== 'disabled-in-source'),
  )
  if (scopeChanged && removing)
    reasons.push(
      `the scope changed since the last sync (${scopeChanged}): the objects it no longer covers would be removed`,
    )
  return { pass: allowed || reasons.length === 0, reasons, deletes, disables }
}
