// What the rule engine produces: findings, one per failing value, collected and never
// thrown. The shapes follow shared/spec/health-rules.md exactly; they are a contract
// for the CSV/JSON outputs and for `idsync fix`.

export const CODES = [
  'character',
  'length',
  'format',
  'localpart',
  'domainpart',
  'topleveldomain',
  'blank',
  'duplicate',
  'mismatch',
  'largeobject',
  'conflict',
] as const
export type Code = (typeof CODES)[number]

export type Severity = 'error' | 'warning'
export type Action = 'edit' | 'remove' | 'none'

export interface Finding {
  dn: string
  objectClass: string
  anchor: string | null
  attribute: string
  /** the value as stored; null for a missing attribute; a number for `largeobject` */
  value: string | number | null
  codes: Code[]
  severity: Severity
  suggestion: string | null
  action: Action
  conflictsWith: string[]
}

export type RuleSetName = 'entra' | 'google'

export interface RuleOptions {
  set: RuleSetName
  /** non-routable domain → routable domain, keys compared case-insensitively */
  suffixMap: ReadonlyMap<string, string>
  /** used only to suggest a missing UPN */
  defaultSuffix?: string | undefined
}

export interface ScanSummary {
  objects: number
  skipped: number
  findings: number
  byCode: Partial<Record<Code, number>>
}

export interface ScanResult {
  summary: ScanSummary
  findings: Finding[]
}

const WARNING_CODES: ReadonlySet<Code> = new Set(['mismatch', 'conflict'])

/** `blank` on a UPN, `mismatch` and `conflict` are warnings; every other code is an error. */
export function severityOf(attribute: string, codes: readonly Code[]): Severity {
  for (const c of codes) {
    if (WARNING_CODES.has(c)) continue
    if (c === 'blank' && attribute === 'userPrincipalName') continue
    return 'error'
  }
  return 'warning'
}

/** Codes in the order the spec lists them, so output is stable. */
export function sortCodes(codes: Iterable<Code>): Code[] {
  const set = new Set(codes)
  return CODES.filter((c) => set.has(c))
}
