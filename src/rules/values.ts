// Value rules: for one attribute, which characters are wrong, how long a value may be,
// whether the address checks apply, and how a suggestion is built (health-rules.md,
// "How a suggestion is built"). Each rule is data plus two small functions, so the
// `entra` and `google` sets can share them.
import { addressCodes, splitAddress } from './address.js'
import { transliterate } from './transliterate.js'
import type { Code } from './types.js'

export interface ValueRule {
  /** surrounding whitespace is a character problem (and trimmed by the fix) */
  readonly trim: boolean
  /** non-ASCII is a character problem (letters with diacritics are transliterated) */
  readonly nonAscii: boolean
  /** the characters the `character` rule flags: a one-character class, no flags but `u` */
  readonly badChar: RegExp
  /** leading dots are a character problem (mailNickname) */
  readonly leadingDots?: boolean
  readonly tooLong: (v: string) => boolean
  /** the address checks (format, localpart, domainpart, topleveldomain) apply */
  readonly address: boolean
  /** cut a value that is too long; return null when no safe cut exists */
  readonly shorten: (v: string) => string | null
}

const EDGE_WHITESPACE = /^\s|\s$/u
// biome-ignore lint/suspicious/noControlCharactersInRegex: "non-ASCII" is everything above U+007F
const NON_ASCII = /[^\u0000-\u007f]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: "non-ASCII" is everything above U+007F
const NON_ASCII_ALL = /[^\u0000-\u007f]/gu
/** matches nothing: for attributes without a character rule */
const NOTHING = /(?!)/

/** A character class of the given characters, plus `extra` (already regex syntax). */
export function charClass(chars: string, extra = ''): RegExp {
  return new RegExp(`[${extra}${chars.replace(/[\\\][^-]/g, '\\$&')}]`, 'u')
}

const globalOf = new WeakMap<RegExp, RegExp>()
function global(re: RegExp): RegExp {
  let g = globalOf.get(re)
  if (!g) {
    g = new RegExp(re.source, `${re.flags}g`)
    globalOf.set(re, g)
  }
  return g
}

/** The `character` rule: does the value contain anything the attribute rejects? */
export function hasCharProblem(rule: ValueRule, v: string): boolean {
  return (
    (rule.trim && EDGE_WHITESPACE.test(v)) ||
    (rule.leadingDots === true && v.startsWith('.')) ||
    (rule.nonAscii && NON_ASCII.test(v)) ||
    rule.badChar.test(v)
  )
}

/** The `character` fix: trim → transliterate → delete what the rule flags. */
export function characterFix(rule: ValueRule, v: string): string {
  let s = v
  if (rule.trim) s = s.trim()
  if (rule.nonAscii) s = transliterate(s).replace(NON_ASCII_ALL, '')
  s = s.replace(global(rule.badChar), '')
  if (rule.leadingDots) s = s.replace(/^\.+/, '')
  return s
}

export interface ValueCheck {
  codes: Code[]
  /** the value after its character fix (equal to the value when it has no character problem) */
  fixed: string
}

/** Every value rule of the attribute: length (on the original), character, address checks. */
export function checkValue(rule: ValueRule, v: string): ValueCheck {
  const codes: Code[] = []
  if (rule.tooLong(v)) codes.push('length')
  let fixed = v
  if (hasCharProblem(rule, v)) {
    codes.push('character')
    fixed = characterFix(rule, v)
  }
  if (rule.address) codes.push(...addressCodes(fixed))
  return { codes, fixed }
}

export const passes = (rule: ValueRule, v: string): boolean =>
  v !== '' && checkValue(rule, v).codes.length === 0

/** Local part: delete all but the last `@`, collapse `..`, strip leading/trailing dots. */
export function cleanLocalPart(address: string): string {
  const at = address.lastIndexOf('@')
  if (at < 0) return address
  const local = address
    .slice(0, at)
    .replace(/@/g, '')
    .replace(/\.{2,}/g, '.')
    .replace(/^\.+|\.+$/g, '')
  return `${local}@${address.slice(at + 1)}`
}

/** The suffix map applies to an address failing `topleveldomain` whose whole domain is a key. */
export function applySuffixMap(address: string, suffixMap: ReadonlyMap<string, string>): string {
  if (suffixMap.size === 0 || !addressCodes(address).includes('topleveldomain')) return address
  const [local, domain] = splitAddress(address)
  const to = suffixFor(suffixMap, domain)
  return to === undefined ? address : `${local}@${to}`
}

/** Whole-domain lookup; keys compare case-insensitively even when the map was built with capitals. */
function suffixFor(suffixMap: ReadonlyMap<string, string>, domain: string): string | undefined {
  const lower = domain.toLowerCase()
  const hit = suffixMap.get(lower)
  if (hit !== undefined) return hit
  for (const [from, to] of suffixMap) if (from.toLowerCase() === lower) return to
  return undefined
}

/**
 * The character fix of an address when building a suggestion: the local part only.
 * Domains are never edited except by the suffix map, because transliterating or
 * deleting a character of a domain (münchen.de → munchen.de) names somebody else's
 * domain; such a value keeps its domain, fails validation and gets no suggestion.
 */
function characterFixLocal(rule: ValueRule, v: string): string {
  const s = rule.trim ? v.trim() : v
  const at = s.lastIndexOf('@')
  return at < 0 ? characterFix(rule, s) : characterFix(rule, s.slice(0, at)) + s.slice(at)
}

/**
 * The suggestion for a failing value, or null when no safe automatic fix exists: the
 * steps of the spec in order, then validation against every value rule of the attribute.
 */
export function suggestValue(
  rule: ValueRule,
  v: string,
  suffixMap: ReadonlyMap<string, string>,
): string | null {
  let s = rule.address ? characterFixLocal(rule, v) : characterFix(rule, v)
  if (rule.address) {
    s = cleanLocalPart(s)
    s = applySuffixMap(s, suffixMap)
  }
  if (rule.tooLong(s)) {
    const cut = rule.shorten(s)
    if (cut === null) return null
    s = cut
  }
  if (s === v || !passes(rule, s)) return null
  return s
}

// ---------------------------------------------------------------- shortening

/** Cut the local part so that local ≤ maxLocal and the whole address ≤ maxTotal; never the domain. */
export const shortenLocal =
  (maxTotal: number, maxLocal = Number.POSITIVE_INFINITY) =>
  (v: string): string | null => {
    const at = v.lastIndexOf('@')
    if (at <= 0) return null
    const domain = v.slice(at + 1)
    const room = Math.min(maxLocal, maxTotal - domain.length - 1)
    if (room <= 0) return null
    return `${v.slice(0, Math.min(room, at))}@${domain}`
  }

/** Cut to `max` UTF-16 code units, never between the halves of a surrogate pair (emoji, rare CJK). */
export const truncate =
  (max: number) =>
  (v: string): string => {
    const cut = v.slice(0, max)
    return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
  }

const NO_CUT = (): null => null

// ---------------------------------------------------------------- the rules

export const upnTooLong = (v: string): boolean => {
  const [local, domain] = splitAddress(v)
  return v.length > 113 || local.length > 64 || domain.length > 48
}

export const UPN: ValueRule = {
  trim: true,
  nonAscii: true,
  badChar: charClass('\\%&*+/=?{}|<>();:,[]"', '\\s'),
  tooLong: upnTooLong,
  address: true,
  shorten: shortenLocal(113, 64),
}

export const MAIL: ValueRule = {
  trim: true,
  nonAscii: true,
  badChar: /\s/u,
  tooLong: (v) => v.length > 256,
  address: true,
  shorten: shortenLocal(256),
}

/** One rule object per parameter, built once: rules are looked up for every value. */
function memo<T>(make: (n: number) => T): (n: number) => T {
  const cache = new Map<number, T>()
  return (n) => {
    let r = cache.get(n)
    if (r === undefined) {
      r = make(n)
      cache.set(n, r)
    }
    return r
  }
}

/** The address part of an `smtp:` proxy address; `prefixLength` counts toward the 256 limit. */
export const smtpAddress = memo(
  (prefixLength): ValueRule => ({
    trim: true,
    nonAscii: true,
    badChar: charClass('<>();,[]":', '\\s'),
    tooLong: (v) => v.length + prefixLength > 256,
    address: true,
    shorten: shortenLocal(256 - prefixLength),
  }),
)

export const PROXY_X500: ValueRule = {
  trim: false,
  nonAscii: false,
  badChar: charClass('[]"', '\\p{Cc}'),
  tooLong: (v) => v.length > 256,
  address: false,
  shorten: NO_CUT,
}

export const PROXY_OTHER: ValueRule = {
  trim: true,
  nonAscii: false,
  badChar: charClass('<>(),[]"', '\\s'),
  tooLong: (v) => v.length > 256,
  address: false,
  shorten: NO_CUT,
}

const targetAddressRule = (address: boolean, prefixLength: number): ValueRule => ({
  trim: true,
  nonAscii: false,
  badChar: charClass('\\<>();,[]"', '\\s'),
  tooLong: (v) => v.length + prefixLength > 256,
  address,
  shorten: address ? shortenLocal(256 - prefixLength) : NO_CUT,
})
export const TARGET_ADDRESS_SMTP = memo((prefixLength): ValueRule => targetAddressRule(true, prefixLength))
export const TARGET_ADDRESS_OTHER: ValueRule = targetAddressRule(false, 0)

export const MAIL_NICKNAME: ValueRule = {
  trim: true,
  nonAscii: true,
  leadingDots: true,
  // everything outside the dot-atom set (letters, digits, atext symbols and the dot)
  badChar: /[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/u,
  tooLong: (v) => v.length > 64,
  address: false,
  shorten: truncate(64),
}

export const DISPLAY_NAME: ValueRule = {
  trim: true,
  nonAscii: false,
  badChar: NOTHING,
  tooLong: (v) => v.length > 256,
  address: false,
  shorten: truncate(256),
}

export const NAME_64: ValueRule = {
  trim: false,
  nonAscii: false,
  badChar: NOTHING,
  tooLong: (v) => v.length > 64,
  address: false,
  shorten: truncate(64),
}

export const samAccountName = memo(
  (max): ValueRule => ({
    trim: false,
    nonAscii: false,
    badChar: charClass('[]\\"|,/:<>+=;?*\''),
    tooLong: (v) => v.length > max,
    address: false,
    shorten: truncate(max),
  }),
)
