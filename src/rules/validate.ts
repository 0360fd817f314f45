// Re-validation of one value before it is written to the directory (idsync fix): the
// attribute's value rules of the chosen rule set, without the forest-wide ones
// (duplicates are checked against the live directory by the caller).

import { parseProxy } from './entra.js'
import { GOOGLE_EMAIL, GOOGLE_NAME } from './google.js'
import type { Code, RuleSetName } from './types.js'
import {
  checkValue,
  DISPLAY_NAME,
  MAIL,
  MAIL_NICKNAME,
  NAME_64,
  PROXY_OTHER,
  PROXY_X500,
  samAccountName,
  smtpAddress,
  TARGET_ADDRESS_OTHER,
  TARGET_ADDRESS_SMTP,
  UPN,
  type ValueRule,
} from './values.js'

/** The attributes `idsync fix` may write, by the names findings use. */
export const WRITABLE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'targetAddress',
  'mailNickname',
  'displayName',
  'givenName',
  'sn',
  'sAMAccountName',
])

/** Multi-valued attributes: a fix replaces one value among others. */
export const MULTI_VALUED: ReadonlySet<string> = new Set(['proxyAddresses'])

interface Target {
  rule: ValueRule
  /** the part of the value the rule judges (the address of an `smtp:` value) */
  part: string
}

function target(set: RuleSetName, objectClass: string, attribute: string, value: string): Target | null {
  const google = set === 'google'
  switch (attribute) {
    case 'userPrincipalName':
      return { rule: google ? GOOGLE_EMAIL : UPN, part: value }
    case 'mail':
      return { rule: google && objectClass !== 'contact' ? GOOGLE_EMAIL : MAIL, part: value }
    case 'proxyAddresses': {
      const p = parseProxy(value)
      if (p.kind === 'SMTP' || p.kind === 'smtp')
        return { rule: google ? GOOGLE_EMAIL : smtpAddress(p.prefix.length + 1), part: p.rest }
      return { rule: p.kind === 'x500' ? PROXY_X500 : PROXY_OTHER, part: value }
    }
    case 'targetAddress': {
      const p = parseProxy(value)
      return p.kind === 'SMTP' || p.kind === 'smtp'
        ? { rule: TARGET_ADDRESS_SMTP(p.prefix.length + 1), part: p.rest }
        : { rule: TARGET_ADDRESS_OTHER, part: value }
    }
    case 'mailNickname':
      return { rule: MAIL_NICKNAME, part: value }
    case 'displayName':
      return { rule: DISPLAY_NAME, part: value }
    case 'givenName':
    case 'sn':
      return { rule: google ? GOOGLE_NAME : NAME_64, part: value }
    case 'sAMAccountName':
      return { rule: samAccountName(objectClass.toLowerCase() === 'group' ? 256 : 20), part: value }
    default:
      return null
  }
}

/**
 * The codes a new value would get (empty: it passes). An attribute that fix does not
 * write gives null.
 */
export function validateNewValue(
  set: RuleSetName,
  objectClass: string,
  attribute: string,
  value: string,
): Code[] | null {
  const t = target(set, objectClass, attribute, value)
  if (!t) return null
  if (value === '') return ['blank']
  return checkValue(t.rule, t.part).codes
}
