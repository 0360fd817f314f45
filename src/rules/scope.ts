// Which objects a scan looks at, and which in-scope objects it skips (health-rules.md,
// "Objects in scope"). Scope is decided before the skip rules; skipped objects are
// counted, never silently dropped.
import { type DirObject, text, texts } from '../core/model.js'

export type ObjectKind = 'user' | 'contact' | 'group'

export function kindOf(obj: DirObject): ObjectKind | null {
  const classes = new Set(texts(obj, 'objectclass').map((c) => c.toLowerCase()))
  if (classes.has('computer')) return null
  if (classes.has('contact')) return 'contact'
  if (classes.has('group') || classes.has('groupofnames') || classes.has('groupofuniquenames')) return 'group'
  if (classes.has('user') || classes.has('inetorgperson') || classes.has('person')) return 'user'
  return null
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
