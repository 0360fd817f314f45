// The address checks of health-rules.md ("An *address* below is `local@domain`"):
// format → localpart → domainpart → topleveldomain, in that order, on a value that has
// already had its `character` fix. Pure and allocation-light: they run on every
// address of every object.
import { createRequire } from 'node:module'
import { domainToASCII } from 'node:url'
import type { Code } from './types.js'

const require = createRequire(import.meta.url)
const IANA_TLDS: readonly string[] = require('tlds')

/** Every IANA TLD in lower case, each in its Unicode and its ASCII (punycode) form. */
const TLDS: ReadonlySet<string> = (() => {
  const set = new Set<string>()
  for (const t of IANA_TLDS) {
    const lower = t.toLowerCase()
    set.add(lower)
    const ascii = domainToASCII(lower)
    if (ascii) set.add(ascii)
  }
  return set
})()

export const isIanaTld = (label: string): boolean => TLDS.has(label.toLowerCase())

/** RFC 5322 atext: letters, digits and ! # $ % & ' * + - / = ? ^ _ ` { | } ~ */
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*$/
/** two or more labels of a-z 0-9 -, none starting or ending with a hyphen */
const DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i

export const isDotAtom = (s: string): boolean => DOT_ATOM.test(s)

export const ATEXT_CHAR = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]/

/** Split at the last `@`: [local, domain]; local may itself contain `@`. */
export function splitAddress(value: string): [string, string] {
  const at = value.lastIndexOf('@')
  return at < 0 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)]
}

/** The address checks, in the spec's order; returns the codes found (possibly none). */
export function addressCodes(value: string): Code[] {
  const at = value.lastIndexOf('@')
  // "`@` first" is the value's first character, even when a later `@` follows it
  if (at < 0 || value.startsWith('@') || value.endsWith('@')) return ['format']
  const codes: Code[] = []
  const local = value.slice(0, at)
  const domain = value.slice(at + 1)
  if (local.includes('@') || !isDotAtom(local) || local.endsWith('&')) codes.push('localpart')
  const verdict = domainVerdict(domain)
  if (verdict & BAD_DOMAIN) codes.push('domainpart')
  if (verdict & BAD_TLD) codes.push('topleveldomain')
  return codes
}

const BAD_DOMAIN = 1
const BAD_TLD = 2
/** A directory has few distinct mail domains: each is judged once (bounded, for safety). */
const verdicts = new Map<string, number>()

function domainVerdict(domain: string): number {
  const known = verdicts.get(domain)
  if (known !== undefined) return known
  const emptyLabel = domain === '' || domain.startsWith('.') || domain.endsWith('.') || domain.includes('..')
  let v = 0
  if (emptyLabel || !DOMAIN.test(domain)) v |= BAD_DOMAIN
  if (!emptyLabel && !isIanaTld(domain.slice(domain.lastIndexOf('.') + 1))) v |= BAD_TLD
  if (verdicts.size >= 10_000) verdicts.clear()
  verdicts.set(domain, v)
  return v
}

export const domainOf = (address: string): string => splitAddress(address)[1]
