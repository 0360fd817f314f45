// `idsync fix` (apply reviewed findings) and `idsync fix upn-suffix` (the non-routable
// domain migration). Nothing is written without --apply.
import type { Command } from 'commander'
import { planFix, planUpnSuffix } from '../app/fix.js'
import { readFixInput } from '../app/fix-input.js'
import { LdapSource } from '../connectors/ldap/source.js'
import { domainRoots } from '../core/dn.js'
import { IdsyncError } from '../core/errors.js'
import { anchorOf, text } from '../core/model.js'
import { CODES } from '../rules/types.js'
import { runBatchCommand } from './apply-batch.js'
import { configFrom, ldapSourceOf, operatorName, rulesOf } from './context.js'

interface FixOptions {
  config?: string
  from?: string
  apply?: boolean
  only?: string
  acceptSuggested?: boolean
  operator?: string
  yes?: boolean
}

interface UpnSuffixOptions {
  config?: string
  from: string
  to: string
  scope?: string
  apply?: boolean
  operator?: string
  yes?: boolean
}

export function registerFix(program: Command): void {
  const fix = program
    .command('fix')
    .description('apply reviewed scan findings to the directory, journaled (dry run unless --apply)')
    // `fix upn-suffix --from X` has its own --from: options after the subcommand are its own
    .enablePositionalOptions()
    .option('--config <file>', 'the config file (source, store)')
    .option(
      '--from <file>',
      'the reviewed scan output: findings.csv (ACTION set to EDIT or REMOVE) or findings.json',
    )
    .option('--apply', 'write the changes (without it: show them, checked against the directory)')
    .option(
      '--only <codes>',
      'only findings with one of these codes, comma-separated (e.g. character,topleveldomain)',
    )
    .option(
      '--accept-suggested',
      "for CSV rows with an empty ACTION, take what a fresh scan proposes (with the row's UPDATE); a row it no longer finds is reported, not written",
    )
    .option('--operator <name>', 'who is making the change, for the journal (default: the OS user)')
    .option('--yes', 'confirm a batch larger than fix.maxChanges')
    .addHelpText(
      'after',
      '\nExit status: 0 all applied, 1 some stale, failed or refused, 2 could not run.\nThe last line of an applied batch is "batch: <id>"; idsync undo <id> reverses it.',
    )
    .action(async (opts: FixOptions) => {
      process.exitCode = await runFix(opts)
    })
  fix
    .command('upn-suffix')
    .description(
      'move userPrincipalNames from a non-routable suffix to a routable one (dry run unless --apply)',
    )
    .option('--config <file>', 'the config file (source, store)')
    .requiredOption('--from <suffix>', 'the current suffix, e.g. corp.local')
    .requiredOption('--to <suffix>', 'the new suffix, e.g. corp.example.com')
    .option('--scope <dn>', 'only users under this DN (default: the configured scope)')
    .option('--apply', 'write the changes')
    .option('--operator <name>', 'who is making the change, for the journal')
    .option('--yes', 'confirm a batch larger than fix.maxChanges')
    .action(async (opts: UpnSuffixOptions) => {
      process.exitCode = await runUpnSuffix(opts)
    })
}

async function runFix(opts: FixOptions): Promise<number> {
  const config = configFrom(opts.config)
  if (!opts.from)
    throw new IdsyncError('ERR_USAGE', 'fix needs --from FILE (the reviewed output of idsync scan)')
  ldapSourceOf(config, 'fix')
  const only = opts.only?.split(',').map((c) => c.trim())
  const unknown = only?.filter((c) => !(CODES as readonly string[]).includes(c))
  if (unknown?.length)
    throw new IdsyncError(
      'ERR_USAGE',
      `--only ${unknown.join(',')}: not a finding code; expected some of ${CODES.join(', ')}`,
    )
  const entries = readFixInput(opts.from)
  return runBatchCommand(
    config,
    'fix',
    async ({ writer, source }) => {
      const changes = await planFix(entries, writer, {
        rules: rulesOf(config),
        acceptSuggested: opts.acceptSuggested === true,
        source,
        ...(only ? { only } : {}),
      })
      if (changes.length === 0 && !opts.acceptSuggested && entries.length > 0) {
        process.stderr.write(
          'idsync: no entry of the file has a decision (ACTION EDIT or REMOVE); set them, or add --accept-suggested to take the proposals\n',
        )
      }
      return changes
    },
    {
      kind: 'fix',
      operator: operatorName(opts.operator),
      apply: opts.apply === true,
      yes: opts.yes === true,
    },
  )
}

async function runUpnSuffix(opts: UpnSuffixOptions): Promise<number> {
  const config = configFrom(opts.config)
  const source = ldapSourceOf(config, 'fix upn-suffix')
  const attributes = ['objectClass', 'userPrincipalName', 'objectGUID', 'mS-DS-ConsistencyGuid']
  // every UPN of the domains the config reads (the whole domain, not only the base or the
  // scope): a new UPN must not collide
  const forest = new Map<string, string>()
  const all = new LdapSource({
    ...source,
    baseDN: domainRoots(([] as string[]).concat(source.baseDN)),
    scope: { include: [], exclude: [], filter: '(userPrincipalName=*)' },
  })
  try {
    for await (const o of all.read({ attributes })) {
      const upn = text(o, 'userprincipalname')
      if (upn) forest.set(upn.toLowerCase(), o.dn)
    }
  } finally {
    await all.close()
  }
  const scope = opts.scope ? { ...source.scope, include: [opts.scope] } : source.scope
  const users: { dn: string; anchor: string | null; upn: string }[] = []
  const inScope = new LdapSource({
    ...source,
    scope: { ...scope, filter: `(&(objectClass=user)(!(objectClass=computer))${scope.filter})` },
  })
  try {
    for await (const o of inScope.read({ attributes })) {
      const upn = text(o, 'userprincipalname')
      if (upn) users.push({ dn: o.dn, anchor: anchorOf(o), upn })
    }
  } finally {
    await inScope.close()
  }
  return runBatchCommand(
    config,
    'fix upn-suffix',
    async () => planUpnSuffix(users, opts.from, opts.to, forest),
    {
      kind: 'upn-suffix',
      operator: operatorName(opts.operator),
      apply: opts.apply === true,
      yes: opts.yes === true,
    },
  )
}
