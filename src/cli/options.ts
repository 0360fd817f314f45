// Option parsers shared by commands. Parsers given to commander (`oneOf`) throw its
// InvalidArgumentError, which commander prints with the option's name; helpers called
// inside an action (`suffixMapOf`) throw IdsyncError, which main.ts prints as one line.
import { InvalidArgumentError } from 'commander'
import { IdsyncError } from '../core/errors.js'

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/**
 * `corp.local=corp.example.com` pairs (from repeated --suffix-map) → a map with lower-cased
 * keys, on top of the config's `rules.suffixMap`.
 */
export function suffixMapOf(
  pairs: readonly string[],
  from: Record<string, string> = {},
): Map<string, string> {
  const map = new Map<string, string>()
  for (const [k, v] of Object.entries(from)) map.set(k.toLowerCase(), v)
  for (const p of pairs) {
    const eq = p.indexOf('=')
    const key = eq < 0 ? '' : p.slice(0, eq).trim()
    const value = eq < 0 ? '' : p.slice(eq + 1).trim()
    if (key === '' || value === '' || value.includes('=')) {
      throw new IdsyncError(
        'ERR_USAGE',
        `--suffix-map ${p}: expected FROM=TO, e.g. corp.local=corp.example.com`,
      )
    }
    map.set(key.toLowerCase(), value)
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
