// RFC 4515 filters evaluated on a DirObject, for sources that cannot filter themselves
// (LDIF files). Parsing is ldapts's; matching is ours because ldapts matches single
// values only and directory attributes are multi-valued. Comparisons are
// case-insensitive, as for the directory string attributes a scope filter uses.
import {
  AndFilter,
  EqualityFilter,
  type Filter,
  FilterParser,
  GreaterThanEqualsFilter,
  LessThanEqualsFilter,
  NotFilter,
  OrFilter,
  PresenceFilter,
  SubstringFilter,
} from 'ldapts'
import { IdsyncError } from './errors.js'
import { type DirObject, texts } from './model.js'

export type Matcher = (obj: DirObject) => boolean

export function parseFilter(filter: string, where: string): Filter {
  try {
    return FilterParser.parseString(filter)
  } catch (e) {
    throw new IdsyncError(
      'ERR_CONFIG',
      `${where}: not a valid LDAP filter (expected RFC 4515 syntax such as "(objectClass=user)")`,
      {
        cause: e,
      },
    )
  }
}

const lower = (s: unknown): string => (Buffer.isBuffer(s) ? s.toString('utf8') : String(s)).toLowerCase()

export interface CompiledFilter {
  matches: Matcher
  /** the attributes the filter looks at */
  attributes: string[]
}

export function compileFilter(filter: string, where: string): CompiledFilter {
  const f = parseFilter(filter, where)
  return { matches: (obj) => evaluate(f, obj), attributes: [...attributesOf(f, new Set())] }
}

function attributesOf(f: Filter, out: Set<string>): Set<string> {
  if (f instanceof AndFilter || f instanceof OrFilter) for (const x of f.filters) attributesOf(x, out)
  else if (f instanceof NotFilter) attributesOf(f.filter, out)
  else if ('attribute' in f && typeof f.attribute === 'string') out.add(f.attribute)
  return out
}

function evaluate(f: Filter, obj: DirObject): boolean {
  if (f instanceof AndFilter) return f.filters.every((x) => evaluate(x, obj))
  if (f instanceof OrFilter) return f.filters.some((x) => evaluate(x, obj))
  if (f instanceof NotFilter) return !evaluate(f.filter, obj)
  if (f instanceof PresenceFilter) {
    const a = f.attribute.toLowerCase()
    return a === 'objectclass' || (obj.attrs.get(a)?.length ?? 0) > 0
  }
  if (f instanceof EqualityFilter) {
    const want = lower(f.value)
    return texts(obj, f.attribute.toLowerCase()).some((v) => v.toLowerCase() === want)
  }
  if (f instanceof SubstringFilter) {
    const initial = f.initial.toLowerCase()
    const final = f.final.toLowerCase()
    const any = f.any.map((s) => s.toLowerCase())
    return texts(obj, f.attribute.toLowerCase()).some((raw) => {
      const v = raw.toLowerCase()
      if (!v.startsWith(initial)) return false
      let pos = initial.length
      for (const part of any) {
        const at = v.indexOf(part, pos)
        if (at < 0) return false
        pos = at + part.length
      }
      return v.length - final.length >= pos && v.endsWith(final)
    })
  }
  if (f instanceof GreaterThanEqualsFilter || f instanceof LessThanEqualsFilter) {
    const ge = f instanceof GreaterThanEqualsFilter
    const want = f.value.toLowerCase()
    return texts(obj, f.attribute.toLowerCase()).some((raw) => {
      const v = raw.toLowerCase()
      const num = /^-?\d+$/.test(v) && /^-?\d+$/.test(want)
      const cmp = num ? Math.sign(Number(v) - Number(want)) : v < want ? -1 : v > want ? 1 : 0
      return ge ? cmp >= 0 : cmp <= 0
    })
  }
  // approximate and extensible matches are not evaluated client-side
  throw new IdsyncError(
    'ERR_CONFIG',
    `the filter ${f.toString()} uses a match type an LDIF source cannot evaluate (use =, >=, <=, * and & | !)`,
  )
}
