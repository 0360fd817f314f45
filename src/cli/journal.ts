// `idsync journal`: the batches written by fix, upn-suffix and undo, newest first; one
// batch's changes; or one batch as LDIF for the change record.
import type { Command } from 'commander'
import { type ModifyOp, modifyRecord } from '../connectors/ldif/writer.js'
import { IdsyncError } from '../core/errors.js'
import { type AttrValue, readable } from '../core/model.js'
import type { BatchSummary, JournalChange } from '../store/types.js'
import { configFrom, openStore } from './context.js'
import { oneOf } from './options.js'

interface JournalOptions {
  config?: string
  format: 'table' | 'json' | 'ldif'
}

const same = (a: AttrValue, b: AttrValue) =>
  Buffer.from(typeof a === 'string' ? Buffer.from(a) : a).equals(
    Buffer.from(typeof b === 'string' ? Buffer.from(b) : b),
  )

export function batchJson(b: BatchSummary) {
  return {
    id: b.id,
    time: b.time,
    operator: b.operator,
    kind: b.kind,
    changes: b.changes,
    applied: b.applied,
    stale: b.stale,
    failed: b.failed,
    status: b.status,
    // beyond the contract's keys: changes whose outcome is unknown, or never attempted
    pending: b.pending,
    skipped: b.skipped,
    ...(b.undoes ? { undoes: b.undoes } : {}),
  }
}

function batchesTable(list: BatchSummary[]): string {
  if (list.length === 0) return 'No batches in the journal yet.\n'
  const rows = [['id', 'time', 'operator', 'kind', 'changes', 'applied', 'stale', 'failed', 'status']]
  for (const b of list)
    rows.push([
      b.id,
      b.time.replace('T', ' ').slice(0, 19),
      b.operator,
      b.undoes ? `undo ${b.undoes}` : b.kind,
      String(b.changes),
      String(b.applied),
      String(b.stale),
      String(b.failed),
      b.status,
    ])
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return `${rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`
}

function changesTable(b: BatchSummary, changes: JournalChange[]): string {
  const out = [
    `batch ${b.id}  ${b.kind}${b.undoes ? ` of ${b.undoes}` : ''}  by ${b.operator}  ${b.time}  ${b.status}`,
    '',
  ]
  for (const c of changes) {
    const what =
      c.action === 'remove'
        ? `remove ${c.oldValue}`
        : c.action === 'restore'
          ? `restore ${c.attribute}`
          : `${c.oldValue ?? '(none)'} → ${c.newValue}`
    out.push(
      `${String(c.seq).padStart(4)}  ${c.status.padEnd(8)} ${c.dn}  ${c.attribute}: ${what}${c.reason ? `  (${c.reason})` : ''}`,
    )
  }
  return `${out.join('\n')}\n`
}

/** The batch as LDIF modify records: what each written change removed and added. */
export function batchLdif(b: BatchSummary, changes: JournalChange[]): string {
  const out = [
    `# idsync journal batch ${b.id} (${b.kind}${b.undoes ? ` of ${b.undoes}` : ''}) by ${b.operator} at ${b.time}, status ${b.status}`,
    '',
  ]
  for (const c of changes) {
    if (!c.before || !c.after || !(c.status === 'applied' || c.status === 'pending')) continue
    const before = c.before
    const after = c.after
    const remove = before.filter((x) => !after.some((y) => same(x, y)))
    const add = after.filter((y) => !before.some((x) => same(x, y)))
    const ops: ModifyOp[] = []
    const text = (v: AttrValue) => (typeof v === 'string' ? v : readable(v))
    if (remove.length) ops.push({ op: 'delete', attribute: c.attribute, values: remove.map(text) })
    if (add.length) ops.push({ op: 'add', attribute: c.attribute, values: add.map(text) })
    if (ops.length)
      out.push(
        modifyRecord(
          c.dn,
          ops,
          `change ${c.seq}: ${c.status}${c.status === 'pending' ? ' (outcome unknown: the process stopped during the write)' : ''}`,
        ),
      )
  }
  return `${out.join('\n')}`
}

export function registerJournal(program: Command): void {
  program
    .command('journal')
    .description('list the batches written by fix and undo, newest first; or show one batch')
    .argument('[batch]', 'a batch id: show its changes')
    .option('--config <file>', 'the config file (store)')
    .option(
      '--format <format>',
      'table | json | ldif (ldif needs a batch id)',
      oneOf(['table', 'json', 'ldif'] as const),
      'table',
    )
    .action(async (id: string | undefined, opts: JournalOptions) => {
      const store = openStore(configFrom(opts.config))
      try {
        if (!id) {
          if (opts.format === 'ldif')
            throw new IdsyncError('ERR_USAGE', 'journal --format ldif needs a batch id')
          const list = await store.journal.listBatches()
          process.stdout.write(
            opts.format === 'json' ? `${JSON.stringify(list.map(batchJson), null, 2)}\n` : batchesTable(list),
          )
          return
        }
        const b = await store.journal.getBatch(id)
        if (!b) throw new IdsyncError('ERR_USAGE', `no batch ${id} in the journal`)
        const changes = await store.journal.getChanges(id)
        if (opts.format === 'json') {
          const enc = (vs: AttrValue[] | null) =>
            vs?.map((v) => (typeof v === 'string' ? v : { base64: Buffer.from(v).toString('base64') })) ??
            null
          process.stdout.write(
            `${JSON.stringify({ ...batchJson(b), changeList: changes.map((c) => ({ ...c, before: enc(c.before), after: enc(c.after) })) }, null, 2)}\n`,
          )
        } else if (opts.format === 'ldif') {
          process.stdout.write(batchLdif(b, changes))
        } else {
          process.stdout.write(changesTable(b, changes))
        }
      } finally {
        await store.close()
      }
    })
}
