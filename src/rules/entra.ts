// The `entra` rule set: what Microsoft Entra ID / Microsoft 365 directory synchronization
// rejects, alters or quarantines (shared/spec/health-rules.md, "Rules by attribute").
// One object in, its value findings and uniqueness entries out; no I/O.
import { domainOfDn, rdnValue } from '../core/dn.js'
import { type DirObject, text, texts } from '../core/model.js'
import type { IndexEntry, ObjectContributions, ValueFinding } from './contributions.js'
import type { ObjectKind } from './scope.js'
import type { Code, RuleOptions } from './types.js'
import {
  checkValue,
  DISPLAY_NAME,
  MAIL,
  MAIL_NICKNAME,
  NAME_64,
  PROXY_OTHER,
  PROXY_X500,
  passes,
  samAccountName,
  smtpAddress,
  suggestValue,
  TARGET_ADDRESS_OTHER,
  TARGET_ADDRESS_SMTP,
  UPN,
  type ValueRule,
} from './values.js'

const MAX_CERTIFICATES = 15
const MAX_PHOTO_BYTES = 100 * 1024

export interface ProxyAddress {
  /** text before the first `:` as stored ('' when there is no `:`) */
  prefix: string
  /** text after the first `:` (the whole value when there is no `:`) */
  rest: string
  kind: 'SMTP' | 'smtp' | 'x500' | 'other'
}

export function parseProxy(value: string): ProxyAddress {
  const colon = value.indexOf(':')
  if (colon < 0) return { prefix: '', rest: value, kind: 'other' }
  const prefix = value.slice(0, colon)
  const rest = value.slice(colon + 1)
  const lower = prefix.toLowerCase()
  if (lower === 'smtp') return { prefix, rest, kind: prefix === 'SMTP' ? 'SMTP' : 'smtp' }
  if (lower === 'x500' || lower === 'x400') return { prefix, rest, kind: 'x500' }
  return { prefix, rest, kind: 'other' }
}

/** The primary address: the first value with the prefix exactly `SMTP:`, else `mail`. */
export function primaryAddress(obj: DirObject): string | undefined {
  for (const v of texts(obj, 'proxyaddresses')) {
    if (v.startsWith('SMTP:')) return v.slice(5)
  }
  return text(obj, 'mail')
}

/** A finding for a value whose codes came from one value rule, with its suggestion. */
function valueFinding(
  attribute: string,
  valueIdx: number,
  value: string,
  codes: Code[],
  suggest: () => string | null,
): ValueFinding | null {
  if (codes.length === 0) return null
  return { attribute, valueIdx, value, codes, suggestion: suggest() }
}

function simpleAttribute(
  out: ObjectContributions,
  obj: DirObject,
  ldapName: string,
  attribute: string,
  rule: ValueRule,
  opts: RuleOptions,
): string | undefined {
  const v = text(obj, ldapName)
  if (v === undefined) return undefined
  const f = valueFinding(attribute, 0, v, checkValue(rule, v).codes, () =>
    suggestValue(rule, v, opts.suffixMap),
  )
  if (f) out.findings.push(f)
  return v
}

function push<T>(list: T[], item: T | null): void {
  if (item) list.push(item)
}

function userPrincipalName(out: ObjectContributions, obj: DirObject, opts: RuleOptions): void {
  const upn = text(obj, 'userprincipalname')
  if (upn === undefined) {
    const sam = text(obj, 'samaccountname')
    const candidate = sam !== undefined && opts.defaultSuffix ? `${sam}@${opts.defaultSuffix}` : undefined
    out.findings.push({
      attribute: 'userPrincipalName',
      valueIdx: 0,
      value: null,
      codes: ['blank'],
      suggestion: candidate !== undefined && passes(UPN, candidate) ? candidate : null,
    })
    return
  }
  out.index.push(smtpEntry('userPrincipalName', 0, upn, true))
  const codes = checkValue(UPN, upn).codes
  const primary = primaryAddress(obj)
  let mismatchCandidate: string | undefined
  if (primary !== undefined && primary.toLowerCase() !== upn.toLowerCase()) {
    codes.push('mismatch')
    if (passes(UPN, primary)) mismatchCandidate = primary
  }
  const f = valueFinding('userPrincipalName', 0, upn, codes, () => suggestValue(UPN, upn, opts.suffixMap))
  if (f) {
    if (mismatchCandidate !== undefined) f.mismatchCandidate = mismatchCandidate
    out.findings.push(f)
  }
}

function smtpEntry(attribute: string, valueIdx: number, address: string, strong: boolean): IndexEntry {
  return { space: 'smtp', key: address.toLowerCase(), attribute, valueIdx, value: address, strong }
}

function proxyAddresses(out: ObjectContributions, obj: DirObject, opts: RuleOptions): void {
  const values = texts(obj, 'proxyaddresses')
  const primaries = values.filter((v) => v.startsWith('SMTP:')).length
  values.forEach((v, i) => {
    if (v === '') return
    const p = parseProxy(v)
    if (p.kind === 'SMTP' || p.kind === 'smtp') {
      out.index.push({ ...smtpEntry('proxyAddresses', i, p.rest, p.kind === 'SMTP'), value: v })
      const rule = smtpAddress(p.prefix.length + 1)
      const codes = checkValue(rule, p.rest).codes
      if (p.kind === 'SMTP' && primaries > 1) {
        codes.push('format')
        out.findings.push({
          attribute: 'proxyAddresses',
          valueIdx: i,
          value: v,
          codes: [...new Set(codes)],
          suggestion: null,
          forcedAction: 'none',
        })
        return
      }
      push(
        out.findings,
        valueFinding('proxyAddresses', i, v, codes, () => {
          const s = suggestValue(rule, p.rest, opts.suffixMap)
          return s === null ? null : `${p.prefix}:${s}`
        }),
      )
      return
    }
    const rule = p.kind === 'x500' ? PROXY_X500 : PROXY_OTHER
    push(
      out.findings,
      valueFinding('proxyAddresses', i, v, checkValue(rule, v).codes, () =>
        suggestValue(rule, v, opts.suffixMap),
      ),
    )
  })
}

function targetAddress(out: ObjectContributions, obj: DirObject, opts: RuleOptions): void {
  const v = text(obj, 'targetaddress')
  if (v === undefined) return
  out.index.push({
    space: 'targetAddress',
    key: v.toLowerCase(),
    attribute: 'targetAddress',
    valueIdx: 0,
    value: v,
    strong: false,
  })
  const p = parseProxy(v)
  if (p.kind === 'SMTP' || p.kind === 'smtp') {
    const rule = TARGET_ADDRESS_SMTP(p.prefix.length + 1)
    push(
      out.findings,
      valueFinding('targetAddress', 0, v, checkValue(rule, p.rest).codes, () => {
        const s = suggestValue(rule, p.rest, opts.suffixMap)
        return s === null ? null : `${p.prefix}:${s}`
      }),
    )
    return
  }
  push(
    out.findings,
    valueFinding('targetAddress', 0, v, checkValue(TARGET_ADDRESS_OTHER, v).codes, () =>
      suggestValue(TARGET_ADDRESS_OTHER, v, opts.suffixMap),
    ),
  )
}

function samAccount(out: ObjectContributions, obj: DirObject, kind: ObjectKind, opts: RuleOptions): void {
  if (kind === 'contact') return
  const sam = text(obj, 'samaccountname')
  if (sam === undefined) return
  const gatedByUpn = kind === 'user'
  out.index.push({
    space: 'sAMAccountName',
    key: `${domainOfDn(obj.dn)}\u0000${sam.toLowerCase()}`,
    attribute: 'sAMAccountName',
    valueIdx: 0,
    value: sam,
    strong: false,
    gatedByUpn,
  })
  const rule = samAccountName(kind === 'user' ? 20 : 256)
  const f = valueFinding('sAMAccountName', 0, sam, checkValue(rule, sam).codes, () =>
    suggestValue(rule, sam, opts.suffixMap),
  )
  if (f) out.findings.push({ ...f, gatedByUpn })
}

function largeObjects(out: ObjectContributions, obj: DirObject): void {
  for (const [ldap, attribute] of [
    ['usercertificate', 'userCertificate'],
    ['usersmimecertificate', 'userSMIMECertificate'],
  ] as const) {
    const count = obj.attrs.get(ldap)?.length ?? 0
    if (count > MAX_CERTIFICATES) {
      out.findings.push({ attribute, valueIdx: 0, value: count, codes: ['largeobject'], suggestion: null })
    }
  }
  const photo = obj.attrs.get('thumbnailphoto')?.[0]
  const size = photo === undefined ? 0 : typeof photo === 'string' ? Buffer.byteLength(photo) : photo.length
  if (size > MAX_PHOTO_BYTES) {
    out.findings.push({
      attribute: 'thumbnailPhoto',
      valueIdx: 0,
      value: size,
      codes: ['largeobject'],
      suggestion: null,
    })
  }
}

export function entraRules(obj: DirObject, kind: ObjectKind, opts: RuleOptions): ObjectContributions {
  const out: ObjectContributions = { findings: [], index: [] }
  if (kind === 'user') userPrincipalName(out, obj, opts)
  const mail = simpleAttribute(out, obj, 'mail', 'mail', MAIL, opts)
  if (mail !== undefined) out.index.push(smtpEntry('mail', 0, mail, true))
  proxyAddresses(out, obj, opts)
  targetAddress(out, obj, opts)
  const nick = simpleAttribute(out, obj, 'mailnickname', 'mailNickname', MAIL_NICKNAME, opts)
  if (nick !== undefined) {
    out.index.push({
      space: 'mailNickname',
      key: nick.toLowerCase(),
      attribute: 'mailNickname',
      valueIdx: 0,
      value: nick,
      strong: false,
    })
  }
  const displayName = simpleAttribute(out, obj, 'displayname', 'displayName', DISPLAY_NAME, opts)
  if (displayName === undefined && kind === 'group') {
    const cn = text(obj, 'cn') ?? rdnValue(obj.dn)
    out.findings.push({
      attribute: 'displayName',
      valueIdx: 0,
      value: null,
      codes: ['blank'],
      suggestion: passes(DISPLAY_NAME, cn) ? cn : null,
    })
  }
  simpleAttribute(out, obj, 'givenname', 'givenName', NAME_64, opts)
  simpleAttribute(out, obj, 'sn', 'sn', NAME_64, opts)
  samAccount(out, obj, kind, opts)
  largeObjects(out, obj)
  return out
}
