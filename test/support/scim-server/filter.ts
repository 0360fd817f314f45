// Schema-aware evaluation of a SCIM filter that scimmy has already parsed, for the test SCIM
// server's storage queries (scimmy's own Filter#match() gets case, sub-attributes and extensions wrong).
import type SCIMMY from 'scimmy'

type Json = Record<string, unknown>
type Definition = SCIMMY.Types.SchemaDefinition

interface AttrInfo {
  caseExact: boolean
  type: string
}

function attrInfo(definition: Definition, path: string): AttrInfo {
  try {
    const attr = definition.attribute(path) as unknown as { type?: unknown; config?: { caseExact?: unknown } }
    return { caseExact: attr.config?.caseExact === true, type: String(attr.type ?? 'string') }
  } catch {
    return { caseExact: false, type: 'string' }
  }
}

function getCi(obj: unknown, key: string): unknown {
  if (obj === null || typeof obj !== 'object') return undefined
  const lower = key.toLowerCase()
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v
  return undefined
}

function extensionIds(definition: Definition): string[] {
  const ids: string[] = []
  for (const a of definition.attributes as unknown[]) {
    const id = (a as { id?: unknown }).id
    if (typeof id === 'string' && id.startsWith('urn:')) ids.push(id)
  }
  return ids
}

/** Resolve a top-level filter key (possibly `urn:…:ext:attr`) against a stored resource. */
function resolveKey(resource: Json, key: string, extIds: string[]): unknown {
  const lower = key.toLowerCase()
  for (const ext of extIds) {
    const prefix = `${ext.toLowerCase()}:`
    if (lower.startsWith(prefix)) return getCi(getCi(resource, ext), key.slice(prefix.length))
  }
  return getCi(resource, key)
}

type Expression = [string, ...unknown[]]

function isExpression(v: unknown): v is Expression {
  return Array.isArray(v) && typeof v[0] === 'string'
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)
}

function compareScalar(actual: unknown, op: string, expected: unknown, info: AttrInfo): boolean {
  if (op === 'pr') return !isEmpty(actual)
  if (op === 'np') return isEmpty(actual)
  if (actual === undefined || actual === null)
    return op === 'ne' ? expected !== null : expected === null && op === 'eq'

  let a: unknown = actual
  let e: unknown = expected
  if (typeof a === 'boolean' && typeof e === 'string')
    e = e.toLowerCase() === 'true' ? true : e.toLowerCase() === 'false' ? false : e
  if (info.type === 'dateTime' || a instanceof Date) {
    const ta = new Date(a as string).getTime()
    const te = new Date(e as string).getTime()
    if (!Number.isNaN(ta) && !Number.isNaN(te)) {
      a = ta
      e = te
    }
  }
  if (typeof a === 'string' && typeof e === 'string' && !info.caseExact) {
    a = a.toLowerCase()
    e = e.toLowerCase()
  }
  switch (op) {
    case 'eq':
      return a === e
    case 'ne':
      return a !== e
    case 'co':
      return String(a).includes(String(e))
    case 'sw':
      return String(a).startsWith(String(e))
    case 'ew':
      return String(a).endsWith(String(e))
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le': {
      if (typeof a !== typeof e || (typeof a !== 'string' && typeof a !== 'number')) return false
      const x = a as string | number
      const y = e as string | number
      return op === 'gt' ? x > y : op === 'ge' ? x >= y : op === 'lt' ? x < y : x <= y
    }
    default:
      return false
  }
}

function evalExpression(actual: unknown, expr: Expression, info: AttrInfo): boolean {
  const negate = expr[0].toLowerCase() === 'not'
  const rest = negate ? expr.slice(1) : expr
  const op = String(rest[0]).toLowerCase()
  const expected = rest[1]
  let result: boolean
  if (Array.isArray(actual)) {
    // Multi-valued attribute: pr/np look at the collection, anything else matches if any value
    // does; for complex values a direct comparison targets the "value" sub-attribute (RFC 7644 §3.4.2.2).
    if (op === 'pr' || op === 'np') result = compareScalar(actual, op, expected, info)
    else
      result = actual.some((v) =>
        compareScalar(v !== null && typeof v === 'object' ? getCi(v, 'value') : v, op, expected, info),
      )
  } else {
    result = compareScalar(actual, op, expected, info)
  }
  return negate ? !result : result
}

function matchValue(actual: unknown, spec: unknown, definition: Definition, path: string): boolean {
  if (isExpression(spec)) return evalExpression(actual, spec, attrInfo(definition, path))
  if (Array.isArray(spec)) {
    // AND list of expressions (or nested specs) on the same attribute
    return spec.every((s) => matchValue(actual, s, definition, path))
  }
  if (spec !== null && typeof spec === 'object') {
    // Sub-attribute filter on a complex attribute; for multi-valued ones, one value must satisfy all.
    const entries = Object.entries(spec)
    const check = (value: unknown): boolean =>
      entries.every(([sub, subSpec]) => matchValue(getCi(value, sub), subSpec, definition, `${path}.${sub}`))
    if (Array.isArray(actual)) return actual.some((v) => check(v))
    return check(actual ?? {})
  }
  return false
}

/**
 * Does `resource` (stored SCIM JSON) satisfy the parsed scimmy filter?
 *
 * scimmy parses and validates the filter string (bad syntax → 400 invalidFilter before our code
 * runs), but its own `Filter#match()` is schema-unaware, so we do not use it for storage queries:
 *  - string comparisons are always case-sensitive (`userName eq "ALICE"` misses "alice", though
 *    RFC 7643 makes userName caseExact=false);
 *  - a sub-attribute filter (`emails.value eq "x"`, `…:manager.value eq "x"`, `meta.lastModified gt …`)
 *    throws a TypeError as soon as one resource lacks the parent attribute, which becomes a 400;
 *  - extension attributes (`urn:…:enterprise:2.0:User:employeeNumber eq "1"`) never match, because
 *    the stored resource keeps them under the extension URN key, not under a flattened key.
 *
 * A parsed filter is scimmy's disjunctive normal form: an array (OR) of objects (AND over keys);
 * each value is an expression `[op, value?]` / `["not", op, value?]`, a list of such expressions
 * on the same attribute (AND), or a nested object for a complex attribute's sub-attributes.
 */
export function matchesFilter(filter: SCIMMY.Types.Filter, resource: Json, definition: Definition): boolean {
  const extIds = extensionIds(definition)
  const terms = filter as unknown as Array<Record<string, unknown>>
  return terms.some((term) =>
    Object.entries(term).every(([key, spec]) =>
      matchValue(resolveKey(resource, key, extIds), spec, definition, key),
    ),
  )
}

export function applyFilter<T extends Json>(
  filter: SCIMMY.Types.Filter | undefined,
  resources: T[],
  definition: Definition,
): T[] {
  if (!filter) return resources
  return resources.filter((r) => matchesFilter(filter, r, definition))
}
