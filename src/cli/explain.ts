// `idsync explain USER_OR_GROUP`: the whole story of one object — is it in scope and
// why, its anchor, what each target should hold (mapping), its link in the target, the
// last export and its result, a waiting error, and what the next sync would do.
import type { Command } from 'commander'
import { openSource } from '../app/open-source.js'
import { recordOf, Scope, SYNC_ATTRIBUTES } from '../app/snapshot.js'
import { kindsOf } from '../app/sync.js'
import { sourceKey } from '../app/sync-read.js'
import type { Config, TargetConfig } from '../config/schema.js'
import { desiredState } from '../core/desired.js'
import { normalizeDn } from '../core/dn.js'
import { IdsyncError } from '../core/errors.js'
import { compileMapping } from '../core/mapping.js'
import type { DirObject } from '../core/model.js'
import { diffAttrs } from '../core/plan.js'
import { resolveRefs } from '../core/refs.js'
import { REFERENCE_PATHS, type SnapshotRecord, type TargetRow } from '../core/sync-model.js'
import type { Store } from '../store/types.js'
import { configFrom, openStore } from './context.js'
import { oneOf } from './options.js'

function findIn(snapshot: ReadonlyMap<string, SnapshotRecord>, who: string): SnapshotRecord | undefined {
  const w = who.toLowerCase()
  const direct = snapshot.get(who)
  if (direct) return direct
  const dn = who.includes('=') ? normalizeDn(who) : null
  for (const r of snapshot.values()) {
    if (dn !== null && normalizeDn(r.dn) === dn) return r
    for (const a of ['userprincipalname', 'mail', 'samaccountname', 'cn', 'displayname']) {
      const v = r.attrs[a]
      if ((Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && x.toLowerCase() === w)) return r
    }
  }
  return undefined
}

/**
 * Not in the source either (deleted): the anchor of the object a target still holds
 * under this name (its userName, email or display name, or the anchor itself).
 */
async function findInTargets(config: Config, store: Store, who: string): Promise<string | null> {
  const w = who.toLowerCase()
  for (const t of config.targets) {
    const rows = await store.sync.targetRows(t.name)
    if (rows.has(who)) return who
    for (const row of rows.values()) {
      const values = Object.values(row.attrs).flatMap((v) => (Array.isArray(v) ? v : [v]))
      if (values.some((v) => typeof v === 'string' && v.toLowerCase() === w)) return row.anchor
    }
  }
  return null
}

/** Not in the snapshot: look in the source itself, to say why it is out of scope. */
async function findInSource(config: Config, who: string): Promise<DirObject | null> {
  // RFC 4515 escapes for a value inside a filter
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL must be escaped in a filter value
  const escaped = who.replace(/[\\*()\u0000]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  const filter = `(|(userPrincipalName=${escaped})(mail=${escaped})(sAMAccountName=${escaped})(cn=${escaped}))`
  const scope = { include: [], exclude: [], filter }
  const source = openSource(
    config.source.type === 'ldap' ? { ...config.source, scope } : { ...config.source, scope },
  )
  try {
    for await (const o of source.read({ attributes: [...SYNC_ATTRIBUTES] })) return o
    return null
  } finally {
    await source.close()
  }
}

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description(
      'the full trace of one object: scope decision, anchor, mapping, link, last export and its result',
    )
    .argument('<who>', 'a userPrincipalName, mail, sAMAccountName, DN or anchor')
    .option('--config <file>', 'the config file')
    .option('--format <format>', 'table | json', oneOf(['table', 'json'] as const), 'table')
    .action(async (who: string, opts: { config?: string; format: 'table' | 'json' }) => {
      const config = configFrom(opts.config)
      const store = openStore(config)
      try {
        const snapshot = await store.sync.loadSnapshot(sourceKey(config.source))
        const rec = findIn(snapshot, who)
        const trace: Record<string, unknown> = { query: who }
        // the anchor of an object outside the snapshot, to find what the targets still hold of it
        let anchor: string | null = rec?.anchor ?? null
        if (!rec) {
          const obj = await findInSource(config, who)
          if (obj) {
            const verdict = new Scope(
              config.source.scope,
              config.source.type === 'ldap' ? config.source.baseDN : [],
            ).verdict(obj)
            anchor = recordOf(obj)?.anchor ?? null
            trace.object = { dn: obj.dn, anchor }
            trace.scope = verdict.in
              ? { in: true, note: 'in scope now, but not in the snapshot yet: the next sync reads it' }
              : { in: false, why: verdict.why }
          } else {
            anchor = await findInTargets(config, store, who)
            if (!anchor)
              throw new IdsyncError(
                'ERR_USAGE',
                `no object "${who}" in the snapshot, the source or a target (search by userPrincipalName, mail, sAMAccountName, cn, DN or anchor)`,
              )
            trace.object = { dn: null, anchor }
            trace.scope = {
              in: false,
              why: 'not in the source any more (deleted, or moved out of the base DN); a target still holds it',
            }
          }
        } else {
          trace.object = {
            dn: rec.dn,
            kind: rec.kind,
            anchor: rec.anchor,
            anchorFrom: rec.attrs['ms-ds-consistencyguid']
              ? 'mS-DS-ConsistencyGuid'
              : rec.guid && rec.guid === rec.anchor
                ? 'objectGUID'
                : 'entryUUID',
            disabledInSource: rec.disabled,
          }
          trace.scope = { in: true }
        }
        const resolved = resolveRefs(snapshot)
        const targets: Record<string, unknown>[] = []
        for (const t of config.targets) {
          const rows = await store.sync.targetRows(t.name)
          const row = anchor ? rows.get(anchor) : undefined
          const one = rec
            ? new Map([[rec.anchor, resolved.get(rec.anchor) as SnapshotRecord]])
            : new Map<string, SnapshotRecord>()
          const options = {
            kinds: kindsOf(t),
            nestedGroups: t.nestedGroups,
            map: compileMapping(t.mapping, `targets.${t.name}.mapping`),
          }
          const d = rec ? desiredState(one, options) : null
          const desired = rec && d ? d.objects.get(rec.anchor) : undefined
          // as the plan sees it: a reference (manager) to an object this target will not
          // hold is none
          for (const path of REFERENCE_PATHS) {
            const ref = desired?.attrs[path]
            if (desired && typeof ref === 'string' && !rows.has(ref)) {
              const other = resolved.get(ref)
              const exportable = other && desiredState(new Map([[ref, other]]), options).objects.has(ref)
              if (!exportable) desired.attrs[path] = null
            }
          }
          const errors = (await store.sync.errors(t.name)).filter(
            (e) => anchor !== null && e.anchor === anchor,
          )
          targets.push({
            target: t.name,
            holds: rec
              ? kindsOf(t).has(rec.kind)
                ? desired
                  ? 'yes'
                  : `no: ${d?.skipped.get(rec.anchor)}`
                : `no: the target holds ${t.objects.join(', ')}`
              : 'no: not in scope',
            desired: desired?.attrs ?? null,
            link: row
              ? {
                  targetId: row.targetId,
                  state: row.state,
                  disabledAt: row.disabledAt,
                  members: row.members.length,
                }
              : null,
            lastExport: row?.last ?? null,
            error: errors[0] ?? null,
            next:
              row && desired
                ? diffAttrs(row.attrs, desired.attrs)
                : desired
                  ? 'create (or link an existing object on first contact)'
                  : row && rec && d?.skipped.has(rec.anchor)
                    ? `nothing: held (in scope, but ${d.skipped.get(rec.anchor)}); the target keeps it as it is`
                    : row
                      ? leaving(row, t)
                      : 'nothing',
          })
        }
        trace.targets = targets
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(trace, null, 2)}\n`)
          return
        }
        process.stdout.write(renderTrace(trace))
      } finally {
        await store.close()
      }
    })
}

/** What the next sync does with an object a target holds that is no longer wanted there. */
function leaving(row: TargetRow, t: TargetConfig): string {
  if (t.onDelete === 'delete') return 'delete (it left the scope or was deleted)'
  const grace =
    t.onDelete === 'disable-then-delete' && row.disabledAt
      ? `; deleted once ${t.deleteAfterDays} days have passed since ${row.disabledAt.slice(0, 10)}`
      : ''
  if (row.state === 'orphaned') return `nothing: orphaned, kept untouched${grace}`
  if (row.state === 'disabled') return `nothing: already disabled${grace}`
  return row.kind === 'group'
    ? 'orphan it (a SCIM group has no disabled state: kept untouched)'
    : `disable it (onDelete: ${t.onDelete})`
}

function renderTrace(t: Record<string, unknown>): string {
  const o = t.object as Record<string, unknown>
  const s = t.scope as { in: boolean; why?: string; note?: string }
  const lines = [
    `object  ${o.dn ?? '(no longer in the source)'}`,
    `  kind ${o.kind ?? '?'}, anchor ${o.anchor}${o.anchorFrom ? ` (from ${o.anchorFrom})` : ''}${o.disabledInSource ? ', disabled in the source' : ''}`,
  ]
  lines.push(`scope   ${s.in ? 'in scope' : `not in scope: ${s.why}`}${s.note ? ` (${s.note})` : ''}`)
  for (const x of t.targets as Record<string, unknown>[]) {
    lines.push(`target  ${x.target}: ${x.holds}`)
    const desired = x.desired as Record<string, unknown> | null
    if (desired)
      for (const [k, v] of Object.entries(desired))
        if (v !== null) lines.push(`    ${k.padEnd(26)} ${JSON.stringify(v)}`)
    const link = x.link as Record<string, unknown> | null
    lines.push(
      link
        ? `  linked: id ${link.targetId}, ${link.state}${link.disabledAt ? ` since ${link.disabledAt}` : ''}`
        : '  not linked yet',
    )
    const last = x.lastExport as { op: string; result: string; time: string } | null
    if (last) lines.push(`  last export: ${last.op} → ${last.result} at ${last.time}`)
    const err = x.error as { type: string; message: string; count: number } | null
    if (err)
      lines.push(
        `  error waiting: ${err.type}: ${err.message}${err.count > 1 ? ` (${err.count} runs in a row)` : ''}`,
      )
    const next = x.next
    if (Array.isArray(next))
      lines.push(
        next.length
          ? `  next sync: update ${next.map((c: { path: string }) => c.path).join(', ')}`
          : '  next sync: nothing (in step)',
      )
    else lines.push(`  next sync: ${next}`)
  }
  return `${lines.join('\n')}\n`
}
