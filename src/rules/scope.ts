// Which objects a scan looks at, and which in-scope objects it skips (health-rules.md,
// "Objects in scope"). Scope is decided before the skip rules; skipped objects are
// counted, never silently dropped.
import { type DirObject, text, texts } from '../core/model.js'

export type ObjectKind = 'user' | 'contact' | 'group'

const KIND_OF_CLASS: ReadonlyMap<string, ObjectKind | 'computer'> = new Map([
  ['computer', 'computer'],
  ['contact', 'contact'],
  ['group', 'group'],
  ['groupofnames', 'group'],
  ['groupofuniquenames', 'group'],
  ['user', 'user'],
  ['inetorgperson', 'user'],
  ['person', 'user'],
])
/** computer wins over everything, then contact, then group, then user */
const PRECEDENCE = { computer: 4, contact: 3, group: 2, user: 1 } as const

export function kindOf(obj: DirObject): ObjectKind | null {
  let best: ObjectKind | 'computer' | null = null
  for (const c of texts(obj, 'objectclass')) {
    const k = KIND_OF_CLASS.get(c.toLowerCase())
    if (k !== undefined && (best === null || PRECEDENCE[k] > PRECEDENCE[best])) best = k
  }
  return best === 'computer' ? null : best
}

export type SkipReason = 'critical' | 'machine' | 'conflict' | 'service'

const SERVICE_EXACT = new Set(['krbtgt', 'guest', 'defaultaccount', 'wdagutilityaccount'])
const SERVICE_PREFIXES = ['msol_', 'aad_', 'support_', 'cas_', 'healthmailbox', 'sm_']

/** Is this a replication conflict copy (`\0ACNF:` in its DN)? */
export const isConflictDn = (dn: string): boolean => dn.toLowerCase().includes('\\0acnf:')

export function skipReason(obj: DirObject): SkipReason | null {
  if (isConflictDn(obj.dn)) return 'conflict'
  if ((text(obj, 'iscriticalsystemobject') ?? '').toUpperCase() === 'TRUE') return 'critical'
  const sam = text(obj, 'samaccountname')
  if (sam !== undefined) {
    if (sam.endsWith('$')) return 'machine'
    const lower = sam.toLowerCase()
    if (SERVICE_EXACT.has(lower) || SERVICE_PREFIXES.some((p) => lower.startsWith(p))) return 'service'
  }
  return null
}
