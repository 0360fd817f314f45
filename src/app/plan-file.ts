// Saved plans (`idsync plan --out plan.json`, `idsync sync --plan plan.json`): the
// operations, the hash that identifies them (approvals), and the basis they were
// computed from, so that a plan whose source objects or target state changed since is
// refused instead of applied blindly.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { IdsyncError } from '../core/errors.js'
import type { Op, SnapshotRecord, TargetRow } from '../core/sync-model.js'
import type { TargetPlan } from './sync.js'

/** A saved plan, as `idsync plan --out` writes it. */
export interface PlanFile {
  version: 1
  target: string
  hash: string
  created: string
  counts: Record<string, number>
  guard: { pass: boolean; reasons: string[] }
  ops: Op[]
  orphaned: string[]
  /** what the plan was computed from, to refuse it if that changed */
  basis: { snapshot: Record<string, string>; rows: Record<string, string> }
  labels: Record<string, string>
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 16)

function anchorsOf(tp: { plan: { ops: PlanFile['ops'] } }): Set<string> {
  return new Set(tp.plan.ops.map((o) => o.anchor))
}

export function toPlanFile(
  tp: TargetPlan,
  snapshot: ReadonlyMap<string, SnapshotRecord>,
  now: Date,
): PlanFile {
  const snap: Record<string, string> = {}
  const rows: Record<string, string> = {}
  for (const a of anchorsOf(tp)) {
    snap[a] = digest(snapshot.get(a) ?? null)
    rows[a] = digest(tp.rows.get(a) ?? null)
  }
  return {
    version: 1,
    target: tp.config.name,
    hash: tp.hash,
    created: now.toISOString(),
    counts: { ...tp.plan.counts },
    guard: { pass: tp.verdict.pass, reasons: tp.verdict.reasons },
    ops: tp.plan.ops,
    orphaned: tp.plan.orphaned,
    basis: { snapshot: snap, rows },
    labels: Object.fromEntries(tp.labels),
  }
}

export function readPlanFile(path: string): PlanFile {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new IdsyncError(
      'ERR_INPUT',
      `${path}: ${code === 'ENOENT' ? 'no such file' : `not a plan written by idsync plan --out (${(e as Error).message})`}`,
    )
  }
  const p = parsed as Partial<PlanFile>
  if (
    p.version !== 1 ||
    typeof p.target !== 'string' ||
    typeof p.hash !== 'string' ||
    !Array.isArray(p.ops) ||
    !p.basis
  ) {
    throw new IdsyncError(
      'ERR_INPUT',
      `${path}: not a plan written by idsync plan --out (expected version, target, hash, ops, basis)`,
    )
  }
  return p as PlanFile
}

/** The operations of a saved plan that no longer hold, with why (empty: it may be applied). */
export function staleOps(
  file: PlanFile,
  snapshot: ReadonlyMap<string, SnapshotRecord>,
  rows: ReadonlyMap<string, TargetRow>,
): string[] {
  const out: string[] = []
  for (const a of new Set(file.ops.map((o) => o.anchor))) {
    const name = file.labels[a] ?? a
    if (file.basis.snapshot[a] !== digest(snapshot.get(a) ?? null))
      out.push(`${name}: the source object changed since the plan`)
    else if (file.basis.rows[a] !== digest(rows.get(a) ?? null))
      out.push(`${name}: the target state changed since the plan`)
  }
  return out
}
