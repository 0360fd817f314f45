// How a batch (fix, upn-suffix, undo) is shown: one line per change, the LDIF of what
// is (or would be) written, and a summary that says whether anything was written.
import type { BatchOutcome, ChangeResult } from '../../app/batch.js'
import { type ModifyOp, modifyRecord } from '../../connectors/ldif/writer.js'

import { readable as asValue } from '../../core/model.js'

const show = (v: string | null) => (v === null ? '(none)' : /^\s|\s$/.test(v) ? JSON.stringify(v) : v)

export function changeLine(r: ChangeResult): string {
  const c = r.change
  const what =
    c.action === 'remove'
      ? `remove ${show(c.oldValue)}`
      : c.action === 'restore'
        ? `restore ${c.attribute}`
        : `${show(c.oldValue)} → ${show(c.newValue)}`
  const status = r.status.padEnd(11)
  return `${status} ${r.dn}  ${c.attribute}: ${what}${r.reason ? `  (${r.reason})` : ''}`
}

/** The LDIF modify records of the changes that were, or would be, written. */
export function changesLdif(results: readonly ChangeResult[]): string {
  const records: string[] = []
  for (const r of results) {
    if (
      !(r.status === 'applied' || r.status === 'would-apply' || r.status === 'pending') ||
      !r.before ||
      !r.after
    )
      continue
    const before = r.before
    const after = r.after
    const remove = before.filter((b) => !after.some((a) => a.equals(b)))
    const add = after.filter((a) => !before.some((b) => b.equals(a)))
    const ops: ModifyOp[] = []
    if (remove.length) ops.push({ op: 'delete', attribute: r.change.attribute, values: remove.map(asValue) })
    if (add.length) ops.push({ op: 'add', attribute: r.change.attribute, values: add.map(asValue) })
    if (ops.length)
      records.push(modifyRecord(r.dn, ops, r.change.where ? `from ${r.change.where}` : undefined))
  }
  return records.join('\n')
}

export function counts(results: readonly ChangeResult[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1
  return out
}

export function summary(outcome: BatchOutcome): string {
  const c = counts(outcome.results)
  const parts = Object.entries(c).map(([k, v]) => `${v} ${k}`)
  const total = outcome.results.length
  const head = `${total} change${total === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`
  return outcome.status === 'dry-run'
    ? `${head}. Nothing was written; add --apply to write.`
    : `${head}. Batch status: ${outcome.status}.`
}
