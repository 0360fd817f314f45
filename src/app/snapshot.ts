// Turning source objects into snapshot records, and deciding what is in the sync's
// scope: the object kinds of the scan (users, groups, contacts) minus the skipped ones
// (critical system objects, machine and service accounts, replication conflicts),
// under an include base, not under an exclude base, matching the filter.
import type { ScopeConfig } from '../config/schema.js'
import { isUnder } from '../core/dn.js'
import { compileFilter } from '../core/filter.js'
import { anchorOf, type DirObject, isBinaryAttribute, valueToString } from '../core/model.js'
import { refOf } from '../core/refs.js'
import type { SnapshotRecord } from '../core/sync-model.js'
import { kindOf, skipReason } from '../rules/scope.js'

/** What a sync reads of every object, before any mapping adds its own attributes. */
export const SYNC_ATTRIBUTES = [
  'objectClass',
  'cn',
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'displayName',
  'givenName',
  'sn',
  'title',
  'department',
  'company',
  'telephoneNumber',
  'mobile',
  'employeeID',
  'manager',
  'member',
  'userAccountControl',
  'isCriticalSystemObject',
  'objectGUID',
  'mS-DS-ConsistencyGuid',
  'entryUUID',
] as const

/** The source attributes named in mapping expressions (identifiers outside quotes). */
export function mappingAttributes(mappings: Iterable<Record<string, string | boolean | null>>): string[] {
  const out = new Set<string>()
  for (const m of mappings) {
    for (const expr of Object.values(m)) {
      if (typeof expr !== 'string') continue
      const unquoted = expr.replace(/'[^']*'/g, ' ')
      for (const id of unquoted.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? []) {
        if (!['lower', 'upper', 'trim', 'anchor', 'dn', 'true', 'false'].includes(id)) out.add(id)
      }
    }
  }
  return [...out]
}

export type ScopeVerdict = { in: true } | { in: false; why: string }

export class Scope {
  private readonly matches: (o: DirObject) => boolean
  private readonly include: readonly string[]
  /** @param baseDN the source's base: the include list when the scope names none */
  constructor(
    private readonly cfg: ScopeConfig,
    baseDN: string | readonly string[] = [],
  ) {
    this.matches = compileFilter(cfg.filter, 'source.scope.filter').matches
    this.include =
      cfg.include.length > 0 ? cfg.include : ([] as string[]).concat(baseDN).filter((b) => b !== '')
  }

  /** The filter selects everything: nothing to ask the server. */
  get trivialFilter(): boolean {
    return /^\(\s*objectclass\s*=\s*\*\s*\)$/i.test(this.cfg.filter.trim())
  }

  /**
   * Is this object in the sync's scope, and if not, why not (for explain). `filter: false`
   * when the source already applied the filter (full reads) or it is asked of the server.
   */
  verdict(obj: DirObject, opts: { filter?: boolean } = {}): ScopeVerdict {
    const kind = kindOf(obj)
    if (kind === null) return { in: false, why: 'not a user, group or contact' }
    const skip = skipReason(obj)
    if (skip)
      return {
        in: false,
        why: `skipped: ${skip === 'critical' ? 'critical system object' : skip === 'machine' ? 'machine or trust account' : skip === 'service' ? 'well-known service account' : 'replication conflict copy'}`,
      }
    if (this.include.length > 0 && !this.include.some((b) => isUnder(obj.dn, b)))
      return {
        in: false,
        why: this.cfg.include.length > 0 ? 'not under any include base' : 'not under the base DN',
      }
    const ex = this.cfg.exclude.find((b) => isUnder(obj.dn, b))
    if (ex) return { in: false, why: `under the excluded ${ex}` }
    if (opts.filter !== false && !this.matches(obj))
      return { in: false, why: `does not match the filter ${this.cfg.filter}` }
    return { in: true }
  }
}

/** A stable text of the scope, to notice when the configuration changes it. */
export function scopeHash(cfg: ScopeConfig, baseDN: string | string[]): string {
  const norm = (l: readonly string[]) => [...l].map((d) => d.toLowerCase().replace(/\s*,\s*/g, ',')).sort()
  return JSON.stringify({
    base: norm(Array.isArray(baseDN) ? baseDN : [baseDN]),
    include: norm(cfg.include),
    exclude: norm(cfg.exclude),
    filter: cfg.filter.trim(),
  })
}

const UAC_ACCOUNTDISABLE = 2

export function recordOf(obj: DirObject): SnapshotRecord | null {
  const kind = kindOf(obj)
  const anchor = anchorOf(obj)
  if (kind === null || anchor === null) return null
  const attrs: Record<string, string | string[]> = {}
  for (const [name, values] of obj.attrs) {
    if (name === 'member' || name === 'manager' || isBinaryAttribute(name) || values.length === 0) continue
    const texts = values.map(valueToString)
    attrs[name] = texts.length === 1 ? (texts[0] as string) : texts
  }
  const guidBytes = obj.attrs.get('objectguid')?.[0]
  const rec: SnapshotRecord = {
    anchor,
    guid: guidBytes && typeof guidBytes !== 'string' ? Buffer.from(guidBytes).toString('base64') : null,
    dn: obj.dn,
    kind,
    attrs,
    disabled: (Number(attrs.useraccountcontrol ?? 0) & UAC_ACCOUNTDISABLE) !== 0,
  }
  if (kind === 'group') rec.memberRefs = (obj.attrs.get('member') ?? []).map((v) => refOf(valueToString(v)))
  else {
    const m = obj.attrs.get('manager')?.[0]
    rec.managerRef = m === undefined ? null : refOf(valueToString(m))
  }
  return rec
}
