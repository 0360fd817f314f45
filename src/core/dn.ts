// Distinguished names (RFC 4514) as far as idsync needs them: split into RDNs at
// unescaped commas, compare case-insensitively, find the DC= part and the parent.

/** Split a DN into its RDN strings, keeping escapes as written. */
export function splitDn(dn: string): string[] {
  const parts: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i] as string
    if (ch === '\\' && i + 1 < dn.length) {
      cur += ch + dn[i + 1]
      i++
      continue
    }
    if (ch === '"') quoted = !quoted
    if ((ch === ',' || ch === ';') && !quoted) {
      parts.push(cur.trim())
      cur = ''
      continue
    }
    cur += ch
  }
  if (cur.trim() !== '' || parts.length > 0) parts.push(cur.trim())
  return parts
}

/** Canonical form for comparisons: RDNs trimmed, attribute types and values lower-cased. */
export function normalizeDn(dn: string): string {
  return splitDn(dn)
    .map((rdn) => {
      const eq = rdn.indexOf('=')
      return eq < 0
        ? rdn.toLowerCase()
        : `${rdn.slice(0, eq).trim().toLowerCase()}=${rdn
            .slice(eq + 1)
            .trim()
            .toLowerCase()}`
    })
    .join(',')
}

const domains = new Map<string, string>()

/** The DC= part of a DN (the domain it lives in), normalised; '' when there is none. */
export function domainOfDn(dn: string): string {
  // fast path: the DC= part is the tail of the DN, after the first ",DC=" (AD writes DNs so)
  const at = dn.search(/,\s*dc\s*=/i)
  if (at >= 0 && !dn.includes('\\', at)) {
    // the few domains of a directory, each worked out once (bounded, for safety)
    const tail = dn.slice(at + 1)
    const known = domains.get(tail)
    if (known !== undefined) return known
    const domain = tail
      .toLowerCase()
      .split(',')
      .map((r) => r.trim().replace(/\s*=\s*/, '='))
      .filter((r) => r.startsWith('dc='))
      .join(',')
    if (domains.size >= 10_000) domains.clear()
    domains.set(tail, domain)
    return domain
  }
  return splitDn(dn)
    .filter((rdn) => /^dc\s*=/i.test(rdn))
    .map((rdn) => rdn.toLowerCase().replace(/\s*=\s*/, '='))
    .join(',')
}

/**
 * The roots of the domains the bases live in (OU=Staff,DC=corp,DC=com → DC=corp,DC=com),
 * each once: uniqueness in AD is domain- or forest-wide, whatever part a config reads.
 * A base without DC= components stays as it is.
 */
export function domainRoots(bases: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const b of bases) {
    const rdns = splitDn(b)
    const at = rdns.findIndex((r) => /^dc\s*=/i.test(r))
    const root = at < 0 ? b : rdns.slice(at).join(',')
    if (!out.has(normalizeDn(root))) out.set(normalizeDn(root), root)
  }
  return [...out.values()]
}

/** The value of the first RDN, unescaped (CN=Smith\, John → Smith, John). */
export function rdnValue(dn: string): string {
  const first = splitDn(dn)[0] ?? ''
  const eq = first.indexOf('=')
  return unescapeDnValue(eq < 0 ? first : first.slice(eq + 1))
}

export function unescapeDnValue(v: string): string {
  if (!v.includes('\\')) return v
  // hex escapes are UTF-8 bytes (\C3\A9 is é): collect them before decoding
  const bytes: number[] = []
  const enc = new TextEncoder()
  for (let i = 0; i < v.length; i++) {
    const ch = v[i] as string
    if (ch === '\\' && i + 1 < v.length) {
      const hex = v.slice(i + 1, i + 3)
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(Number.parseInt(hex, 16))
        i += 2
      } else {
        bytes.push(...enc.encode(v[i + 1] as string))
        i += 1
      }
      continue
    }
    const cp = v.codePointAt(i) as number
    const c = String.fromCodePoint(cp)
    bytes.push(...enc.encode(c))
    i += c.length - 1
  }
  return new TextDecoder().decode(new Uint8Array(bytes))
}

export function parentDn(dn: string): string {
  return splitDn(dn).slice(1).join(',')
}

/** Is `dn` equal to `base` or below it? (both compared in normalised form) */
export function isUnder(dn: string, base: string): boolean {
  const d = normalizeDn(dn)
  const b = normalizeDn(base)
  return b === '' || d === b || d.endsWith(`,${b}`)
}
