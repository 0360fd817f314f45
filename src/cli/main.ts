#!/usr/bin/env node
// The idsync command line: one file per command; this file wires them and owns exit
// statuses and error reporting.
import { Command, CommanderError } from 'commander'
import { EXIT_COULD_NOT_RUN, reportError } from './errors.js'
import { registerExplain } from './explain.js'
import { registerFix } from './fix.js'
import { registerJournal } from './journal.js'
import { registerScan } from './scan.js'
import { registerStatus } from './status.js'
import { registerSync } from './sync.js'
import { registerUndo } from './undo.js'
import { VERSION } from './version.js'

// commander prints its own usage errors (through outputError) before it throws; an
// error it did not print (a CommanderError thrown inside an action) is printed below
let commanderPrinted = false
const program = new Command()
program
  .name('idsync')
  .description('Hybrid identity sync: scan, fix and provision Active Directory / LDAP to the cloud')
  .version(VERSION)
  .option('--debug', 'show stack traces, causes and attribute values in logs')
  .showHelpAfterError('(run with --help for usage)')
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s, write) => {
      commanderPrinted = true
      write(s)
    },
  })

registerScan(program)
registerFix(program)
registerJournal(program)
registerUndo(program)
registerSync(program)
registerStatus(program)
registerExplain(program)
const exitOverride = (c: Command): void => {
  c.exitOverride()
  for (const sub of c.commands) exitOverride(sub)
}
exitOverride(program)

// a reader that stops early (| head) is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

// --debug is accepted anywhere on the line, before or after the command
const debug = process.argv.includes('--debug')
try {
  await program.parseAsync(process.argv.filter((a) => a !== '--debug'))
} catch (e) {
  if (e instanceof CommanderError) {
    // help and version end with 0; usage errors were printed by commander, except one
    // thrown inside an action, which commander never sees ('commander.help': the help
    // shown for a missing command, printed already)
    if (e.exitCode !== 0 && !commanderPrinted && e.code !== 'commander.help')
      process.stderr.write(`idsync: ${e.message.split('\n')[0]}\n`)
    process.exitCode = e.exitCode === 0 ? 0 : EXIT_COULD_NOT_RUN
  } else {
    process.exitCode = reportError(e, debug)
  }
}
