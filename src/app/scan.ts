// The scan use case: stream the source into the rule engine and return the result.
import type { Source } from '../connectors/types.js'
import { Scanner } from '../rules/scan.js'
import type { RuleOptions, ScanResult } from '../rules/types.js'

/** The attributes the rule sets look at (and the anchor and skip rules). */
export const SCAN_ATTRIBUTES = [
  'objectClass',
  'cn',
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'targetAddress',
  'mailNickname',
  'displayName',
  'givenName',
  'sn',
  'userCertificate',
  'userSMIMECertificate',
  'thumbnailPhoto',
  'isCriticalSystemObject',
  'objectGUID',
  'mS-DS-ConsistencyGuid',
  'entryUUID',
] as const

export interface ScanRun extends ScanResult {
  source: string
  seconds: number
}

export async function runScan(
  source: Source,
  rules: RuleOptions,
  onProgress?: (count: number) => void,
): Promise<ScanRun> {
  const started = performance.now()
  const scanner = new Scanner(rules)
  try {
    for await (const obj of source.read({
      attributes: SCAN_ATTRIBUTES,
      ...(onProgress ? { onProgress } : {}),
    })) {
      scanner.add(obj)
    }
  } finally {
    await source.close()
  }
  const result = scanner.finish()
  return { ...result, source: source.description, seconds: (performance.now() - started) / 1000 }
}
