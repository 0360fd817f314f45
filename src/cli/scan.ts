// `idsync scan`: the directory health scan.
import { accessSync, constants, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import type { Command } from 'commander'
import { runScan } from '../app/scan.js'
import type { SourceConfig } from '../config/schema.js'
import { IdsyncError } from '../core/errors.js'
import type { RuleOptions } from '../rules/types.js'
import { configFrom, rulesOf } from './context.js'
import { type ScanFormat, scanCsv, scanJson, scanTable } from './format/scan.js'
import { collect, oneOf, suffixMapOf } from './options.js'
import { counter } from './progress.js'

interface ScanOptions {
  ldif?: string
  config?: string
  format?: ScanFormat
  rules?: 'entra' | 'google'
  suffixMap: string[]
  defaultSuffix?: string
  out?: string
}

function defaultFormat(out: string | undefined): ScanFormat {
  if (out) {
    const ext = extname(out).toLowerCase()
    if (ext === '.csv') return 'csv'
    if (ext === '.json') return 'json'
    return 'table'
  }
  return process.stdout.isTTY ? 'table' : 'json'
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('find the values that Entra ID or Google Workspace would reject, with proposed fixes')
    .option('--ldif <file>', 'scan an LDIF file')
    .option('--config <file>', 'scan the source named in a config file')
    .option(
      '--format <format>',
      'table | csv | json (default: table on a terminal, else by --out extension, else json)',
      oneOf(['table', 'csv', 'json'] as const),
    )
    .option(
      '--rules <set>',
      'entra | google (default: entra, or rules.set from the config)',
      oneOf(['entra', 'google'] as const),
    )
    .option(
      '--suffix-map <from=to>',
      'propose TO for addresses in the non-routable domain FROM (repeatable)',
      collect,
      [],
    )
    .option('--default-suffix <domain>', 'suggest sAMAccountName@DOMAIN for a missing userPrincipalName')
    .option('--out <file>', 'write the report to a file instead of standard output')
    .addHelpText(
      'after',
      '\nExit status: 0 no error findings, 1 there are error findings, 2 the scan could not run.',
    )
    .action(async (opts: ScanOptions) => {
      process.exitCode = await scan(opts)
    })
}

async function scan(opts: ScanOptions): Promise<number> {
  // a report that cannot be written must not cost a whole scan first
  if (opts.out) checkOutput(opts.out)
  let source: SourceConfig
  let rules: RuleOptions
  if (opts.config) {
    const c = configFrom(opts.config)
    source = opts.ldif ? { type: 'ldif', path: opts.ldif, scope: c.source.scope } : c.source
    rules = rulesOf(c, { rules: opts.rules, suffixMap: opts.suffixMap, defaultSuffix: opts.defaultSuffix })
  } else if (opts.ldif) {
    source = { type: 'ldif', path: opts.ldif, scope: { include: [], exclude: [], filter: '(objectClass=*)' } }
    rules = {
      set: opts.rules ?? 'entra',
      suffixMap: suffixMapOf(opts.suffixMap),
      defaultSuffix: opts.defaultSuffix,
    }
  } else {
    throw new IdsyncError('ERR_USAGE', 'scan needs a source: --ldif FILE or --config FILE')
  }
  const progress = counter('reading')
  const result = await runScan(source, rules, { onProgress: (n) => progress.tick(n) }).finally(() =>
    progress.done(),
  )
  for (const w of result.warnings) process.stderr.write(`idsync: warning: ${w}\n`)
  const format = opts.format ?? defaultFormat(opts.out)
  const header = `idsync scan (${rules.set} rules) of ${result.source}: ${result.seconds.toFixed(1)} s`
  const text =
    format === 'csv' ? scanCsv(result) : format === 'json' ? scanJson(result) : scanTable(result, header)
  if (opts.out) {
    writeOutput(opts.out, text)
    process.stderr.write(`${header}\n${result.summary.findings} findings written to ${opts.out}\n`)
  } else {
    process.stdout.write(text)
  }
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0
}

/** --out names a file in a folder that exists and can be written to. */
function checkOutput(out: string): void {
  const dir = dirname(resolve(out))
  let folder = false
  try {
    folder = statSync(out).isDirectory()
  } catch {
    // a file that does not exist yet: the usual case
  }
  if (folder)
    throw new IdsyncError('ERR_USAGE', `--out ${out}: is a folder; expected the name of a file to write`)
  try {
    accessSync(dir, constants.W_OK)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? `the folder ${dir} does not exist`
        : code === 'ENOTDIR'
          ? `${dir} is not a folder`
          : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
            ? `cannot write in the folder ${dir} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'})`
            : `cannot write in the folder ${dir} (${code ?? 'I/O error'})`
    throw new IdsyncError('ERR_USAGE', `--out ${out}: ${why}`, { cause: e })
  }
}

/** Write through a temporary file, so that a failed write leaves no half report. */
function writeOutput(out: string, text: string): void {
  const tmp = `${out}.tmp-${process.pid}`
  try {
    writeFileSync(tmp, text)
    renameSync(tmp, out)
  } catch (e) {
    rmSync(tmp, { force: true })
    const code = (e as NodeJS.ErrnoException).code
    throw new IdsyncError('ERR_USAGE', `--out ${out}: cannot be written (${code ?? 'I/O error'})`, {
      cause: e,
    })
  }
}
