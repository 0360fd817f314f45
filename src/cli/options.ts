// Option parsers shared by commands.
import { InvalidArgumentError } from 'commander'

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** `corp.local=corp.example.com` pairs → a map with lower-cased keys. */
export function suffixMapOf(
  pairs: readonly string[],
  from: Record<string, string> = {},
): Map<string, string> {
  const map = new Map<string, string>()
  for (const [k, v] of Object.entries(from)) map.set(k.toLowerCase(), v)
  for (const p of pairs) {
    const eq = p.indexOf('=')
    if (eq <= 0 || eq === p.length - 1) {
      throw new InvalidArgumentError(`"${p}": expected FROM=TO, such as corp.local=corp.example.com`)
    }
    map.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim())
  }
  return map
}

export function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`)
    }
    return value as T
  }
}
