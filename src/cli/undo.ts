// `idsync undo BATCH_ID`: restore exactly what a journaled batch changed. The undo is
// itself a batch, so it can be undone.
import type { Command } from 'commander'
import { planUndo } from '../app/fix.js'
import { runBatchCommand } from './apply-batch.js'
import { configFrom, operatorName } from './context.js'

interface UndoOptions {
  config?: string
  apply?: boolean
  force?: boolean
  operator?: string
  yes?: boolean
}

export function registerUndo(program: Command): void {
  program
    .command('undo')
    .description('restore the values a batch changed, byte for byte (dry run unless --apply)')
    .argument('<batch>', 'the batch id (idsync journal lists them)')
    .option('--config <file>', 'the config file (source, store)')
    .option('--apply', 'write the restored values')
    .option('--force', 'restore even values that changed since the batch')
    .option('--operator <name>', 'who is making the change, for the journal')
    .option('--yes', 'confirm a batch larger than fix.maxChanges')
    .addHelpText('after', '\nExit status: 0 all restored, 1 some stale or failed, 2 could not run.')
    .action(async (batch: string, opts: UndoOptions) => {
      process.exitCode = await runBatchCommand(
        configFrom(opts.config),
        'undo',
        async ({ store, writer }) => {
          const undo = await planUndo(store, batch, opts.force === true, writer.description)
          if (undo.note) process.stderr.write(`idsync: note: ${undo.note}\n`)
          return undo.changes
        },
        {
          kind: 'undo',
          undoes: batch,
          operator: operatorName(opts.operator),
          apply: opts.apply === true,
          yes: opts.yes === true,
        },
      )
    })
}
