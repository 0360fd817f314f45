// The `google` rule set: what the Google Workspace Directory API rejects
// (docs/rules-google.md). Same shapes and vocabulary as the `entra` set.
import { rdnValue } from '../core/dn.js'
import { type DirObject, text, texts } from '../core/model.js'
import { splitAddress } from './address.js'
import type { ObjectContributions, ValueFinding } from './contributions.js'
import { parseProxy } from './entra.js'
import type { ObjectKind } from './scope.js'
import type { RuleOptions } from './types.js'
import {
  charClass,
  checkValue,
  MAIL,
  passes,
  shortenLocal,
  suggestValue,
  truncate,
  type ValueRule,
} from './values.js'

/**
 * Google usernames, group addresses and aliases (support.google.com/a/answer/9193374):
 * letters, digits, dashes, underscores, apostrophes and periods, at most 64 characters
 * before the `@`; no `+`, `&`, `=`, `,`, `!` or `<>`, which Exchange addresses allow.
 */
export const GOOGLE_EMAIL: ValueRule = {
  trim: true,
  nonAscii: true,
  badChar: /[^A-Za-z0-9'._\-@]/u,
  tooLong: (v) => v.length > 256 || splitAddress(v)[0].length > 64,
  address: true,
  shorten: shortenLocal(256, 64),
}

/** First and last names: up to 60 characters, no angle brackets (same page). */
export const GOOGLE_NAME: ValueRule = {
  trim: true,
  nonAscii: false,
  badChar: charClass('<>', '\\p{Cc}'),
  tooLong: (v) => v.length > 60,
  address: false,
  shorten: truncate(60),
}

/** Group names: up to 73 characters, no angle brackets (same page). */
export const GOOGLE_GROUP_NAME: ValueRule = {
  ...GOOGLE_NAME,
  tooLong: (v) => v.length > 73,
  shorten: truncate(73),
}

/** Google keeps abuse@ and postmaster@ of every domain: never a username or an alias (answer/33389). */
const RESERVED_FOR_USERS: ReadonlySet<string> = new Set(['abuse', 'postmaster'])
/** Words a group may use as its address but never as an alias (answer/6093413). */
const RESERVED_FOR_GROUP_ALIASES: ReadonlySet<string> = new Set([
  ...RESERVED_FOR_USERS,
  'admin',
  'administrator',
  'hostmaster',
  'majordomo',
  'root',
  'ssl-admin',
  'webmaster',
])
const NOTHING_RESERVED: ReadonlySet<string> = new Set()

/** Google allows at most 30 aliases per user and per group. */
const MAX_ALIASES = 30

const isReserved = (address: string, reserved: ReadonlySet<string>): boolean =>
  reserved.has(splitAddress(address)[0].toLowerCase())

/** givenName and familyName proposed from a display name: "Smith, John" or "John Smith". */
export function splitName(full: string): { given: string | null; family: string | null } {
  const s = full.trim()
  const comma = s.indexOf(',')
  if (comma > 0) {
    const family = s.slice(0, comma).trim()
    const given = s.slice(comma + 1).trim()
    return { given: given || null, family: family || null }
  }
  const words = s.split(/\s+/).filter(Boolean)
  if (words.length === 0) return { given: null, family: null }
  return { given: words[0] ?? null, family: words.length > 1 ? words.slice(1).join(' ') : null }
}

function nameAttribute(
  out: ObjectContributions,
  obj: DirObject,
  ldap: string,
  attribute: string,
  fromFull: string | null,
  opts: RuleOptions,
): void {
  const v = text(obj, ldap)
  if (v === undefined) {
    out.findings.push({
      attribute,
      valueIdx: 0,
      value: null,
      codes: ['blank'],
      suggestion: fromFull !== null && passes(GOOGLE_NAME, fromFull) ? fromFull : null,
    })
    return
  }
  plainAttribute(out, attribute, v, GOOGLE_NAME, opts)
}

function plainAttribute(
  out: ObjectContributions,
  attribute: string,
  v: string,
  rule: ValueRule,
  opts: RuleOptions,
): void {
  const codes = checkValue(rule, v).codes
  if (codes.length > 0) {
    out.findings.push({
      attribute,
      valueIdx: 0,
      value: v,
      codes,
      suggestion: suggestValue(rule, v, opts.suffixMap),
    })
  }
}

/**
 * One Google address (primary email or alias): the username rules, plus `localpart` for
 * a reserved name, which no automatic fix can repair. `prefix` is put back in front of
 * the suggestion (`smtp:` for an alias).
 */
function addressFinding(
  attribute: string,
  valueIdx: number,
  value: string,
  address: string,
  prefix: string,
  reserved: ReadonlySet<string>,
  opts: RuleOptions,
): ValueFinding | null {
  const codes = checkValue(GOOGLE_EMAIL, address).codes
  if (isReserved(address, reserved) && !codes.includes('localpart')) codes.push('localpart')
  if (codes.length === 0) return null
  const s = suggestValue(GOOGLE_EMAIL, address, opts.suffixMap)
  const suggestion = s === null || isReserved(s, reserved) ? null : `${prefix}${s}`
  return { attribute, valueIdx, value, codes, suggestion }
}

function primaryEmail(
  out: ObjectContributions,
  attribute: string,
  v: string,
  reserved: ReadonlySet<string>,
  opts: RuleOptions,
): void {
  out.index.push({ space: 'smtp', key: v.toLowerCase(), attribute, valueIdx: 0, value: v, strong: true })
  const f = addressFinding(attribute, 0, v, v, '', reserved, opts)
  if (f) out.findings.push(f)
}

function missingEmail(
  out: ObjectContributions,
  obj: DirObject,
  reserved: ReadonlySet<string>,
  opts: RuleOptions,
): void {
  const sam = text(obj, 'samaccountname')
  const candidate = sam !== undefined && opts.defaultSuffix ? `${sam}@${opts.defaultSuffix}` : undefined
  const usable =
    candidate !== undefined && passes(GOOGLE_EMAIL, candidate) && !isReserved(candidate, reserved)
  out.findings.push({
    attribute: 'mail',
    valueIdx: 0,
    value: null,
    codes: ['blank'],
    suggestion: usable ? candidate : null,
  })
}

/**
 * Secondary `smtp:` addresses become aliases in Google: the username rules, forest-wide
 * uniqueness, and at most 30 of them (`largeobject` on the attribute, value = count).
 */
function aliases(
  out: ObjectContributions,
  obj: DirObject,
  reserved: ReadonlySet<string>,
  opts: RuleOptions,
): void {
  let count = 0
  texts(obj, 'proxyaddresses').forEach((v, i) => {
    const p = parseProxy(v)
    if (p.kind !== 'smtp') return
    count++
    out.index.push({
      space: 'smtp',
      key: p.rest.toLowerCase(),
      attribute: 'proxyAddresses',
      valueIdx: i,
      value: v,
      strong: false,
    })
    const f = addressFinding('proxyAddresses', i, v, p.rest, `${p.prefix}:`, reserved, opts)
    if (f) out.findings.push(f)
  })
  if (count > MAX_ALIASES) {
    // valueIdx -1: a finding about the attribute, apart from the per-value findings
    out.findings.push({
      attribute: 'proxyAddresses',
      valueIdx: -1,
      value: count,
      codes: ['largeobject'],
      suggestion: null,
    })
  }
}

export function googleRules(obj: DirObject, kind: ObjectKind, opts: RuleOptions): ObjectContributions {
  const out: ObjectContributions = { findings: [], index: [] }
  const mail = text(obj, 'mail')
  if (kind === 'user') {
    const upn = text(obj, 'userprincipalname')
    if (mail !== undefined) primaryEmail(out, 'mail', mail, RESERVED_FOR_USERS, opts)
    else if (upn !== undefined) primaryEmail(out, 'userPrincipalName', upn, RESERVED_FOR_USERS, opts)
    else missingEmail(out, obj, RESERVED_FOR_USERS, opts)
    const full = splitName(text(obj, 'displayname') ?? text(obj, 'cn') ?? rdnValue(obj.dn))
    nameAttribute(out, obj, 'givenname', 'givenName', full.given, opts)
    nameAttribute(out, obj, 'sn', 'sn', full.family, opts)
    aliases(out, obj, RESERVED_FOR_USERS, opts)
  } else if (kind === 'group') {
    if (mail !== undefined) primaryEmail(out, 'mail', mail, NOTHING_RESERVED, opts)
    else missingEmail(out, obj, NOTHING_RESERVED, opts)
    const name = text(obj, 'displayname')
    if (name !== undefined) plainAttribute(out, 'displayName', name, GOOGLE_GROUP_NAME, opts)
    aliases(out, obj, RESERVED_FOR_GROUP_ALIASES, opts)
  } else if (mail !== undefined) {
    // a contact is not a Google account: its (often external) address only has to be
    // a valid address, with Exchange's wider character set, and need not be unique
    plainAttribute(out, 'mail', mail, MAIL, opts)
  }
  return out
}
