// `idsync plan`, `idsync sync` (once, from a saved plan, or continuously with --watch)
// and `idsync approve`. Exit statuses: 0 clean, 1 applied with errors, 2 could not run,
// 3 stopped by the guard.
import { renameSync, writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import pino from 'pino'
import { type PlanFile, readPlanFile, staleOps, toPlanFile } from '../app/plan-file.js'
import {
  applyTarget,
  markOrphans,
  planHash,
  planTarget,
  recordUnapplied,
  type TargetPlan,
} from '../app/sync.js'
import { type ReadOutcome, readForSync } from '../app/sync-read.js'
import type { Config, TargetConfig } from '../config/schema.js'
import { IdsyncError } from '../core/errors.js'
import type { Plan } from '../core/sync-model.js'
import type { Store } from '../store/types.js'
import { configFrom, openStore, operatorName } from './context.js'
import { planTable } from './format/plan.js'
import { oneOf } from './options.js'
import { counter } from './progress.js'

export const EXIT = { clean: 0, errors: 1, couldNotRun: 2, guarded: 3 } as const

interface PlanOptions {
  config?: string
  target?: string
  format?: 'table' | 'json'
  out?: string
  full?: boolean
}

interface SyncOptions {
  config?: string
  target?: string
  plan?: string
  dryRun?: boolean
  allowDeletes?: boolean
  yes?: boolean
  watch?: boolean
  interval: string
  full?: boolean
}

function targetsOf(config: Config, name: string | undefined): TargetConfig[] {
  if (config.targets.length === 0)
    throw new IdsyncError(
      'ERR_USAGE',
      'the config has no targets: add a targets: section (type scim or preview)',
    )
  if (!name) return config.targets
  const t = config.targets.find((x) => x.name === name)
  if (!t)
    throw new IdsyncError(
      'ERR_USAGE',
      `no target named "${name}" (the config has ${config.targets.map((x) => x.name).join(', ')})`,
    )
  return [t]
}

const describe = (t: TargetConfig) => `target "${t.name}" (${t.type}${t.type === 'scim' ? ` ${t.url}` : ''})`

export function parseInterval(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim())
  if (!m)
    throw new IdsyncError('ERR_USAGE', `--interval "${text}": expected a duration such as 30s, 5m or 1h`)
  const n = Number(m[1])
  const unit = m[2] ?? 's'
  const ms = n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000)
  if (ms < 1000) throw new IdsyncError('ERR_USAGE', `--interval ${text}: at least 1s`)
  return ms
}

function summaryLine(tp: TargetPlan, header: string): string {
  const counts = Object.entries(tp.plan.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
  return `${header}: ${counts || 'nothing to do'}`
}

function readLine(read: ReadOutcome): string {
  return `read (${read.mode}): ${read.snapshot.size.toLocaleString('en-US')} objects in scope, ${read.changed} changed, ${read.left.size} left`
}

async function read(config: Config, store: Store, full: boolean): Promise<ReadOutcome> {
  const progress = counter('reading')
  return await readForSync(config, store, { full, onProgress: (n) => progress.tick(n) }).finally(() =>
    progress.done(),
  )
}

export function registerSync(program: Command): void {
  program
    .command('plan')
    .description('show what a sync would create, update, rename, disable and delete in each target, and why')
    .option('--config <file>', 'the config file')
    .option('--target <name>', 'only this target')
    .option('--format <format>', 'table | json', oneOf(['table', 'json'] as const), 'table')
    .option('--out <file>', 'also save the plan (JSON) for `idsync approve` and `idsync sync --plan`')
    .option('--full', 'read the whole source, not only what changed')
    .addHelpText('after', '\nExit status: 0 planned, 2 could not run, 3 the guard would stop this plan.')
    .action(async (opts: PlanOptions) => {
      process.exitCode = await runPlan(opts)
    })

  program
    .command('sync')
    .description('apply the plan to each target (once, a saved plan, or continuously with --watch)')
    .option('--config <file>', 'the config file')
    .option('--target <name>', 'only this target')
    .option(
      '--plan <file>',
      'apply exactly this saved plan (refused if the source or target changed underneath)',
    )
    .option('--dry-run', 'plan and check the guard, write nothing')
    .option('--allow-deletes', 'let a plan through that the guard would stop')
    .option('--yes', 'answer confirmation prompts (never lets a guarded plan through)')
    .option('--watch', 'keep syncing: read what changed, plan, apply, wait, repeat')
    .option('--interval <duration>', 'time between two --watch cycles', '30s')
    .option('--full', 'read the whole source, not only what changed')
    .addHelpText(
      'after',
      '\nExit status: 0 clean, 1 applied with errors (listed), 2 could not run, 3 stopped by the guard.',
    )
    .action(async (opts: SyncOptions) => {
      process.exitCode = opts.watch ? await runWatch(opts) : await runSync(opts)
    })

  program
    .command('approve')
    .description('approve this exact saved plan, so that the guard lets it through')
    .argument('<plan>', 'a plan saved with idsync plan --out')
    .option('--config <file>', 'the config file')
    .option('--operator <name>', 'who approves, for the record')
    .action(async (file: string, opts: { config?: string; operator?: string }) => {
      const config = configFrom(opts.config)
      const plan = readPlanFile(file)
      const store = openStore(config)
      try {
        await store.sync.approve(
          plan.hash,
          plan.target,
          operatorName(opts.operator),
          new Date().toISOString(),
        )
        process.stdout.write(
          `approved plan ${plan.hash} for target "${plan.target}" (${plan.ops.length} operations)\n`,
        )
      } finally {
        await store.close()
      }
    })
}

async function runPlan(opts: PlanOptions): Promise<number> {
  const config = configFrom(opts.config)
  const targets = targetsOf(config, opts.target)
  const store = openStore(config)
  try {
    const r = await read(config, store, opts.full === true)
    const now = new Date()
    const plans: TargetPlan[] = []
    for (const t of targets) plans.push(await planTarget(config, t, store, r, { allowDeletes: false, now }))
    if (opts.format === 'json') {
      const files = plans.map((tp) => toPlanFile(tp, r.snapshot, now))
      process.stdout.write(`${JSON.stringify(files.length === 1 ? files[0] : files, null, 2)}\n`)
    } else {
      process.stderr.write(`${readLine(r)}\n`)
      for (const tp of plans) process.stdout.write(planTable(tp, `plan for ${describe(tp.config)}`))
    }
    if (opts.out) {
      if (plans.length !== 1)
        throw new IdsyncError('ERR_USAGE', '--out saves the plan of one target: add --target NAME')
      const tmp = `${opts.out}.tmp-${process.pid}`
      writeFileSync(tmp, `${JSON.stringify(toPlanFile(plans[0] as TargetPlan, r.snapshot, now), null, 2)}\n`)
      renameSync(tmp, opts.out)
      process.stderr.write(`plan saved to ${opts.out} (hash ${(plans[0] as TargetPlan).hash})\n`)
    }
    return plans.some((tp) => !tp.verdict.pass) ? EXIT.guarded : EXIT.clean
  } finally {
    await store.close()
  }
}

function logger(): pino.Logger {
  return pino(
    { level: process.argv.includes('--debug') ? 'debug' : 'info', base: { app: 'idsync' } },
    pino.destination(2),
  )
}

async function syncOnce(
  config: Config,
  targets: TargetConfig[],
  store: Store,
  opts: SyncOptions,
  log: pino.Logger | null,
  savedPlan: PlanFile | null,
): Promise<number> {
  const r = await read(config, store, opts.full === true)
  if (log) log.info({ mode: r.mode, objects: r.snapshot.size, changed: r.changed, left: r.left.size }, 'read')
  else process.stderr.write(`${readLine(r)}\n`)
  let exit: number = EXIT.clean
  for (const t of targets) {
    try {
      const code = await syncTarget(config, t, store, r, opts, log, savedPlan)
      exit = Math.max(exit, code)
      // a target accepts the scope once a sync of it applied with it, past the guard
      if (!opts.dryRun && code !== EXIT.guarded)
        await store.sync.acceptScope(r.sourceKey, t.name, r.scopeHash)
    } catch (e) {
      // one target that cannot run does not stop the others
      if (targets.length === 1) throw e
      exit = Math.max(exit, EXIT.couldNotRun)
      if (log) log.error({ target: t.name, err: (e as Error).message }, 'target could not run')
      else process.stderr.write(`idsync: target "${t.name}": ${(e as Error).message}\n`)
    }
  }
  // the source's reads stop treating the scope as changed once every target accepted it
  const accepted = await store.sync.acceptedScopes(r.sourceKey)
  if (config.targets.every((t) => accepted.get(t.name) === r.scopeHash))
    await store.sync.acceptSourceScope(r.sourceKey, r.scopeHash)
  return exit
}

async function syncTarget(
  config: Config,
  t: TargetConfig,
  store: Store,
  r: ReadOutcome,
  opts: SyncOptions,
  log: pino.Logger | null,
  savedPlan: PlanFile | null,
): Promise<number> {
  const now = new Date()
  const tp = await planTarget(config, t, store, r, { allowDeletes: opts.allowDeletes === true, now })
  if (savedPlan) {
    const stale = staleOps(savedPlan, r.snapshot, tp.rows)
    if (stale.length > 0) {
      throw new IdsyncError(
        'ERR_USAGE',
        `the saved plan no longer holds, nothing was written:\n  ${stale.slice(0, 20).join('\n  ')}${stale.length > 20 ? `\n  … (${stale.length - 20} more)` : ''}\nmake a new plan`,
      )
    }
    tp.plan.ops = savedPlan.ops
    if (!tp.verdict.pass && (await store.sync.isApproved(savedPlan.hash))) tp.verdict.pass = true
  }
  const header = `${opts.dryRun ? 'plan' : 'sync'} of ${describe(t)}`
  if (!tp.verdict.pass) {
    await recordUnapplied(tp, store, 'guarded', now)
    if (log)
      log.warn({ target: t.name, reasons: tp.verdict.reasons, ...tp.plan.counts }, 'stopped by the guard')
    process.stdout.write(planTable(tp, header, !log))
    return EXIT.guarded
  }
  if (opts.dryRun) {
    await recordUnapplied(tp, store, 'planned', now)
    process.stdout.write(planTable(tp, header))
    return EXIT.clean
  }
  if (tp.plan.ops.length === 0) {
    await markOrphans(tp, store, now)
    await recordUnapplied(tp, store, 'nothing', now)
    if (log) log.info({ target: t.name }, 'nothing to do')
    else process.stdout.write(`${header}: nothing to do\n`)
    return EXIT.clean
  }
  const progress = log ? null : counter(`applying to ${t.name}`)
  const result = await applyTarget(tp, store, {
    now: () => new Date(),
    onProgress: (d, total) => progress?.tick(d, total),
    ...(log ? { log: (event, fields) => log.debug({ target: t.name, ...fields }, event) } : {}),
  }).finally(() => progress?.done())
  if (log)
    log.info(
      {
        target: t.name,
        run: result.runId,
        applied: result.applied,
        failed: result.failed,
        ...tp.plan.counts,
      },
      'applied',
    )
  else process.stdout.write(`${summaryLine(tp, `${header}, run ${result.runId}`)}\n`)
  if (result.failed > 0) {
    const lines = result.outcomes.filter((o) => !o.ok).slice(0, 50)
    const label = (a: string) => tp.labels.get(a) ?? a
    process.stdout.write(
      `${result.failed} operation${result.failed === 1 ? '' : 's'} failed:\n${lines.map((o) => `  ${o.op.op} ${label(o.op.anchor)}: ${o.error?.type} — ${o.error?.message}`).join('\n')}\n${result.failed > lines.length ? `  … and ${result.failed - lines.length} more (idsync status lists them by type)\n` : ''}${result.stopped ? `stopped: ${result.stopped}; the next run picks them up\n` : ''}`,
    )
    return EXIT.errors
  } else if (!log) {
    process.stdout.write(
      `${result.applied} operations applied (idsync status lists the runs; idsync explain traces one object)\n`,
    )
  }
  return EXIT.clean
}

async function runSync(opts: SyncOptions): Promise<number> {
  const config = configFrom(opts.config)
  const saved = opts.plan ? readPlanFile(opts.plan) : null
  if (saved && planHash(saved.target, { ops: saved.ops } as Plan) !== saved.hash) {
    throw new IdsyncError(
      'ERR_INPUT',
      `${opts.plan}: the operations do not match the plan's hash (the file was edited); make a new plan`,
    )
  }
  const targets = saved ? targetsOf(config, saved.target) : targetsOf(config, opts.target)
  const store = openStore(config)
  try {
    return await syncOnce(config, targets, store, opts, process.stdout.isTTY ? null : logger(), saved)
  } finally {
    await store.close()
  }
}

async function runWatch(opts: SyncOptions): Promise<number> {
  if (opts.plan)
    throw new IdsyncError('ERR_USAGE', '--watch plans every cycle itself; it does not take --plan')
  if (opts.allowDeletes) {
    throw new IdsyncError(
      'ERR_USAGE',
      '--watch with --allow-deletes would switch the guard off for as long as it runs; approve a plan (idsync approve) or run one sync with --allow-deletes',
    )
  }
  const interval = parseInterval(opts.interval)
  const config = configFrom(opts.config)
  const targets = targetsOf(config, opts.target)
  const store = openStore(config)
  const log = logger()
  let stopping = false
  let wake: (() => void) | null = null
  const stop = () => {
    stopping = true
    wake?.()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  log.info({ interval, targets: targets.map((t) => t.name) }, 'watching')
  let last: number = EXIT.clean
  let first = true
  try {
    while (!stopping) {
      const started = Date.now()
      try {
        last = await syncOnce(
          config,
          targets,
          store,
          { ...opts, full: first && opts.full === true },
          log,
          null,
        )
      } catch (e) {
        // a failed cycle (source unreachable, read cut short) plans nothing; the next one tries again
        log.error({ err: (e as Error).message }, 'cycle failed; nothing was planned from it')
      }
      first = false
      const wait = Math.max(0, interval - (Date.now() - started))
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  } finally {
    await store.close()
  }
  log.info('stopped')
  return last === EXIT.guarded ? EXIT.guarded : EXIT.clean
}
