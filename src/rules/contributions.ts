// What a rule set says about one object before the forest is known: value findings and
// entries for the uniqueness indexes. The collector (collector.ts) turns them into final
// findings once every object has been read.
import type { Action, Code } from './types.js'

export interface ValueFinding {
  attribute: string
  /** position among the attribute's values; 0 for single-valued and missing attributes */
  valueIdx: number
  value: string | number | null
  codes: Code[]
  suggestion: string | null
  /** an action fixed by the rule itself (several `SMTP:` values → none) */
  forcedAction?: Action
  /** UPN mismatch: the primary address, usable as suggestion if no other object has it as UPN */
  mismatchCandidate?: string
  /** exists only when the object's UPN is missing or has an `error` finding (sAMAccountName) */
  gatedByUpn?: boolean
}

/** The uniqueness namespaces: forest-wide SMTP, per-attribute, per-domain sAMAccountName. */
export type IndexSpace = 'smtp' | 'mailNickname' | 'targetAddress' | 'sAMAccountName'

export interface IndexEntry {
  space: IndexSpace
  /** case-folded key (for sAMAccountName prefixed with the domain) */
  key: string
  attribute: string
  valueIdx: number
  value: string
  /** held as UPN or primary address (`SMTP:` or mail), not only as a secondary `smtp:` */
  strong: boolean
  gatedByUpn?: boolean
}

export interface ObjectContributions {
  findings: ValueFinding[]
  index: IndexEntry[]
}

/** Order of attributes in the output, per object. */
export const ATTRIBUTE_ORDER: readonly string[] = [
  'dn',
  'userPrincipalName',
  'mail',
  'primaryEmail',
  'proxyAddresses',
  'targetAddress',
  'mailNickname',
  'displayName',
  'givenName',
  'sn',
  'sAMAccountName',
  'userCertificate',
  'userSMIMECertificate',
  'thumbnailPhoto',
]
