// `idsync status`: the last runs per target, the export errors waiting by type, and the
// groups left orphaned in the targets.
import type { Command } from 'commander'
import { configFrom, openStore } from './context.js'
import { oneOf } from './options.js'

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('last runs per target, export errors by type, orphaned groups')
    .option('--config <file>', 'the config file')
    .option('--format <format>', 'table | json', oneOf(['table', 'json'] as const), 'table')
    .action(async (opts: { config?: string; format: 'table' | 'json' }) => {
      const config = configFrom(opts.config)
      const store = openStore(config)
      try {
        const out: Record<string, unknown>[] = []
        for (const t of config.targets) {
          // the latest run, then the last ones that did something: a --watch cycle with
          // nothing to do must not push the real runs out of sight
          const recent = await store.sync.runs(t.name, 500)
          const runs = recent.filter((r, i) => i === 0 || r.status !== 'nothing').slice(0, 5)
          const errors = await store.sync.errors(t.name)
          const rows = await store.sync.targetRows(t.name)
          const orphaned = [...rows.values()].filter((r) => r.state === 'orphaned')
          const byType: Record<string, number> = {}
          for (const e of errors) byType[e.type] = (byType[e.type] ?? 0) + 1
          out.push({
            target: t.name,
            type: t.type,
            managed: {
              users: [...rows.values()].filter((r) => r.kind === 'user' && r.state !== 'orphaned').length,
              groups: [...rows.values()].filter((r) => r.kind === 'group' && r.state !== 'orphaned').length,
              disabled: [...rows.values()].filter((r) => r.state === 'disabled').length,
            },
            runs,
            errors: { total: errors.length, byType, list: errors },
            orphaned: orphaned.map((r) => ({
              anchor: r.anchor,
              displayName: r.attrs.displayName ?? null,
              targetId: r.targetId,
            })),
          })
        }
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
          return
        }
        const lines: string[] = []
        for (const t of out as {
          target: string
          type: string
          managed: { users: number; groups: number; disabled: number }
          runs: {
            id: string
            started: string
            kind: string
            status: string
            counts: Record<string, number>
            errors: number
            message: string | null
          }[]
          errors: {
            total: number
            byType: Record<string, number>
            list: { anchor: string; op: string; type: string; message: string; count: number }[]
          }
          orphaned: { displayName: unknown; targetId: string }[]
        }[]) {
          lines.push(
            `target "${t.target}" (${t.type}): ${t.managed.users} users (${t.managed.disabled} disabled), ${t.managed.groups} groups managed`,
          )
          if (t.runs.length === 0) lines.push('  no run yet')
          for (const r of t.runs) {
            const counts = Object.entries(r.counts)
              .filter(([, n]) => n > 0)
              .map(([k, n]) => `${n} ${k}`)
              .join(', ')
            lines.push(
              `  ${r.started.replace('T', ' ').slice(0, 19)}  ${r.id}  ${r.kind.padEnd(4)} ${r.status.padEnd(11)} ${counts || 'nothing to do'}${r.message ? `  (${r.message})` : ''}`,
            )
          }
          if (t.errors.total > 0) {
            lines.push(
              `  export errors waiting: ${Object.entries(t.errors.byType)
                .map(([k, n]) => `${n} ${k}`)
                .join(', ')}`,
            )
            for (const e of t.errors.list.slice(0, 20))
              lines.push(
                `    ${e.type.padEnd(10)} ${e.op} ${e.anchor}: ${e.message}${e.count > 1 ? ` (${e.count} runs in a row)` : ''}`,
              )
          }
          if (t.orphaned.length > 0)
            lines.push(
              `  orphaned groups (left the scope, kept in the target): ${t.orphaned.map((o) => String(o.displayName ?? o.targetId)).join(', ')}`,
            )
        }
        process.stdout.write(`${lines.join('\n')}\n`)
      } finally {
        await store.close()
      }
    })
}
