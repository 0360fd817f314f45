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
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i

export function isDotAtom(s: string): boolean {
  if (s === '') return false
  for (const atom of s.split('.')) if (!ATOM.test(atom)) return false
  return true
}

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
  const labels = domain.split('.')
  const emptyLabel = labels.some((l) => l === '')
  if (emptyLabel || labels.length < 2 || !labels.every((l) => LABEL.test(l))) codes.push('domainpart')
  if (!emptyLabel && !isIanaTld(labels[labels.length - 1] ?? '')) codes.push('topleveldomain')
  return codes
}

export const domainOf = (address: string): string => splitAddress(address)[1]
