// The `google` rule set: what the Google Workspace Directory API rejects
// (docs/rules-google.md). Same shapes and vocabulary as the `entra` set.
import { rdnValue } from '../core/dn.js'
import { type DirObject, text, texts } from '../core/model.js'
import { splitAddress } from './address.js'
import type { ObjectContributions } from './contributions.js'
import { parseProxy } from './entra.js'
import type { ObjectKind } from './scope.js'
import type { RuleOptions } from './types.js'
import {
  charSet,
  checkValue,
  isControl,
  isWhitespace,
  passes,
  shortenLocal,
  smtpAddress,
  suggestValue,
  truncate,
  type ValueRule,
} from './values.js'

/** Google usernames: letters, digits, dashes, underscores, apostrophes and periods; at most 64. */
const EMAIL_CHAR = /^[A-Za-z0-9'._\-@]$/
export const GOOGLE_EMAIL: ValueRule = {
  trim: true,
  nonAscii: true,
  badChar: (ch) => isWhitespace(ch) || !EMAIL_CHAR.test(ch),
  tooLong: (v) => v.length > 256 || splitAddress(v)[0].length > 64,
  address: true,
  shorten: shortenLocal(256, 64),
}

const NAME_CHARS = charSet('<>=')
export const GOOGLE_NAME: ValueRule = {
  trim: true,
  nonAscii: false,
  badChar: (ch) => isControl(ch) || NAME_CHARS(ch),
  tooLong: (v) => v.length > 60,
  address: false,
  shorten: truncate(60),
}

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
  const codes = checkValue(GOOGLE_NAME, v).codes
  if (codes.length > 0) {
    out.findings.push({
      attribute,
      valueIdx: 0,
      value: v,
      codes,
      suggestion: suggestValue(GOOGLE_NAME, v, opts.suffixMap),
    })
  }
}

function emailAttribute(out: ObjectContributions, attribute: string, v: string, opts: RuleOptions): void {
  out.index.push({ space: 'smtp', key: v.toLowerCase(), attribute, valueIdx: 0, value: v, strong: true })
  const codes = checkValue(GOOGLE_EMAIL, v).codes
  if (codes.length > 0) {
    out.findings.push({
      attribute,
      valueIdx: 0,
      value: v,
      codes,
      suggestion: suggestValue(GOOGLE_EMAIL, v, opts.suffixMap),
    })
  }
}

function missingEmail(out: ObjectContributions, obj: DirObject, attribute: string, opts: RuleOptions): void {
  const sam = text(obj, 'samaccountname')
  const candidate = sam !== undefined && opts.defaultSuffix ? `${sam}@${opts.defaultSuffix}` : undefined
  out.findings.push({
    attribute,
    valueIdx: 0,
    value: null,
    codes: ['blank'],
    suggestion: candidate !== undefined && passes(GOOGLE_EMAIL, candidate) ? candidate : null,
  })
}

/** Secondary addresses become aliases in Google: address rules and forest-wide uniqueness. */
function aliases(out: ObjectContributions, obj: DirObject, opts: RuleOptions): void {
  texts(obj, 'proxyaddresses').forEach((v, i) => {
    const p = parseProxy(v)
    if (p.kind !== 'smtp') return
    out.index.push({
      space: 'smtp',
      key: p.rest.toLowerCase(),
      attribute: 'proxyAddresses',
      valueIdx: i,
      value: v,
      strong: false,
    })
    const rule = smtpAddress(p.prefix.length + 1)
    const codes = checkValue(rule, p.rest).codes
    if (codes.length > 0) {
      const s = suggestValue(rule, p.rest, opts.suffixMap)
      out.findings.push({
        attribute: 'proxyAddresses',
        valueIdx: i,
        value: v,
        codes,
        suggestion: s === null ? null : `${p.prefix}:${s}`,
      })
    }
  })
}

export function googleRules(obj: DirObject, kind: ObjectKind, opts: RuleOptions): ObjectContributions {
  const out: ObjectContributions = { findings: [], index: [] }
  const mail = text(obj, 'mail')
  if (kind === 'user') {
    const upn = text(obj, 'userprincipalname')
    if (mail !== undefined) emailAttribute(out, 'mail', mail, opts)
    else if (upn !== undefined) emailAttribute(out, 'userPrincipalName', upn, opts)
    else missingEmail(out, obj, 'mail', opts)
    const full = splitName(text(obj, 'displayname') ?? text(obj, 'cn') ?? rdnValue(obj.dn))
    nameAttribute(out, obj, 'givenname', 'givenName', full.given, opts)
    nameAttribute(out, obj, 'sn', 'sn', full.family, opts)
    aliases(out, obj, opts)
  } else if (kind === 'group') {
    if (mail !== undefined) emailAttribute(out, 'mail', mail, opts)
    else missingEmail(out, obj, 'mail', opts)
    aliases(out, obj, opts)
  } else if (mail !== undefined) {
    emailAttribute(out, 'mail', mail, opts)
  }
  return out
}
