// The end of fix, upn-suffix and undo: the size guard, the batch run with progress, the
// report, the LDIF of the changes, and the exit status (0 all applied, 1 some stale or
// failed or refused, 2 could not run).
import { runBatch } from '../app/batch.js'
import type { PlannedChange } from '../app/changes.js'
import type { Config, LdapSourceConfig } from '../config/schema.js'
import { LdapWriter } from '../connectors/ldap/writer.js'
import type { WritableDirectory } from '../connectors/types.js'
import { IdsyncError } from '../core/errors.js'
import type { BatchKind, Store } from '../store/types.js'
import { ldapSourceOf, openStore } from './context.js'
import { changeLine, changesLdif, summary } from './format/batch.js'
import { counter } from './progress.js'

export interface ApplyArgs {
  kind: BatchKind
  operator: string
  undoes?: string
  apply: boolean
  yes: boolean
  maxChanges: number
}

/**
 * Open what a batch command needs (the directory writer, the store), plan the changes,
 * apply and report them, and close both whatever happens.
 */
export async function runBatchCommand(
  config: Config,
  what: string,
  plan: (ctx: {
    writer: WritableDirectory
    store: Store
    source: LdapSourceConfig
  }) => Promise<PlannedChange[]>,
  args: Omit<ApplyArgs, 'maxChanges'>,
): Promise<number> {
  const source = ldapSourceOf(config, what)
  const store = openStore(config)
  const writer = new LdapWriter(source)
  try {
    await writer.connect()
    const changes = await plan({ writer, store, source })
    return await applyAndReport(writer, store, changes, { ...args, maxChanges: config.fix.maxChanges })
  } finally {
    await writer.close()
    await store.close()
  }
}

export async function applyAndReport(
  dir: WritableDirectory,
  store: Store,
  changes: PlannedChange[],
  a: ApplyArgs,
): Promise<number> {
  if (changes.length === 0) {
    process.stdout.write('Nothing to change.\n')
    return 0
  }
  if (a.apply && changes.length > a.maxChanges && !a.yes) {
    throw new IdsyncError(
      'ERR_USAGE',
      `this batch has ${changes.length} changes, more than fix.maxChanges (${a.maxChanges}); review them without --apply, then add --yes to write them`,
    )
  }
  const progress = counter(a.apply ? 'writing' : 'checking')
  const outcome = await runBatch(dir, store, changes, {
    kind: a.kind,
    operator: a.operator,
    apply: a.apply,
    ...(a.undoes ? { undoes: a.undoes } : {}),
    onProgress: (done) => progress.tick(done),
  }).finally(() => progress.done())
  const out: string[] = outcome.results.map(changeLine)
  const ldif = changesLdif(outcome.results)
  if (ldif)
    out.push('', a.apply ? '# LDIF of what was written' : '# LDIF of what would be written', ldif.trimEnd())
  out.push('', summary(outcome))
  if (outcome.id) out.push(`batch: ${outcome.id}`)
  process.stdout.write(`${out.join('\n')}\n`)
  const bad = outcome.results.some(
    (r) =>
      r.status === 'stale' ||
      r.status === 'failed' ||
      r.status === 'refused' ||
      r.status === 'skipped' ||
      r.status === 'pending',
  )
  return bad ? 1 : 0
}
