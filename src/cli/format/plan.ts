// How a plan is shown: a table for people (each operation with its reason and, for
// updates, the values before and after), and JSON for scripts and `sync --plan`.
import type { TargetPlan } from '../../app/sync.js'
import type { AttrChange, Op } from '../../core/sync-model.js'

const fmt = (v: string | boolean | null) =>
  v === null ? '(none)' : typeof v === 'boolean' ? String(v) : JSON.stringify(v)

function changeLines(changes: readonly AttrChange[], label: (a: string) => string): string[] {
  return changes.map((c) => {
    const ref = c.path === 'enterprise.manager'
    const show = (v: string | boolean | null) => (ref && typeof v === 'string' ? label(v) : fmt(v))
    return `      ${c.path}: ${show(c.from)} → ${show(c.to)}`
  })
}

export function opLines(op: Op, label: (a: string) => string, verbose: boolean): string[] {
  const head = `  ${op.op.padEnd(15)} ${op.kind.padEnd(6)} ${label(op.anchor).padEnd(40)} ${op.reason}`
  if (!verbose) return [head]
  switch (op.op) {
    case 'update':
    case 'rename':
    case 'disable':
      return [head, ...changeLines(op.changes, label)]
    case 'add-members':
    case 'remove-members': {
      const shown = op.members.slice(0, 10).map(label)
      return [
        head,
        `      ${op.op === 'add-members' ? '+' : '-'} ${shown.join(', ')}${op.members.length > 10 ? `, … (${op.members.length - 10} more)` : ''}`,
      ]
    }
    default:
      return [head]
  }
}

export function planTable(tp: TargetPlan, header: string, verbose = true): string {
  const label = (a: string) => tp.labels.get(a) ?? a
  const c = tp.plan.counts
  const summary = Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
  const out = [`${header}: ${summary || 'nothing to do'}`]
  for (const op of tp.plan.ops) out.push(...opLines(op, label, verbose))
  if (tp.plan.orphaned.length > 0) {
    out.push(
      `  orphaned groups (left the scope; onDelete: disable keeps them in the target untouched): ${tp.plan.orphaned.map(label).join(', ')}`,
    )
  }
  if (tp.skipped.size > 0) {
    out.push(`  not exportable (${tp.skipped.size}):`)
    for (const [a, why] of [...tp.skipped].slice(0, 20)) out.push(`    ${a}: ${why}`)
  }
  if (tp.verdict.reasons.length > 0) {
    out.push(
      tp.verdict.pass
        ? '  guard: allowed despite:'
        : '  GUARD: this plan is stopped; nothing of it is written:',
    )
    for (const r of tp.verdict.reasons) out.push(`    - ${r}`)
    if (!tp.verdict.pass)
      out.push(
        `    review it, then run again with --allow-deletes, or approve this exact plan: idsync plan --out plan.json && idsync approve --config … plan.json`,
      )
  }
  return `${out.join('\n')}\n`
}
