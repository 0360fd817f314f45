// Reading the file a person reviewed after `idsync scan`: the scan's CSV (IdFix
// columns; ACTION set to EDIT or REMOVE by the person, UPDATE possibly edited) or its
// JSON (each finding's action and suggestion, possibly edited). The whole file is
// checked before anything is written; the first problem is reported with the file and
// the line.
import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import { CsvError, parse } from 'csv-parse/sync'
import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml'
import { IdsyncError } from '../core/errors.js'
import { WRITABLE_ATTRIBUTES } from '../rules/validate.js'

export interface FixEntry {
  /** file:line of the entry, for messages */
  where: string
  dn: string
  anchor: string | null
  objectClass: string
  attribute: string
  /** the value the scan saw; null when the attribute was missing */
  value: string | null
  codes: string[]
  /**
   * the person's decision: `none` is an explicit "leave it" (JSON action none), null is
   * no decision at all (an empty CSV ACTION), which --accept-suggested may fill
   */
  action: 'edit' | 'remove' | 'none' | null
  /** the value to write for `edit` (UPDATE / suggestion) */
  update: string | null
}

const fail = (where: string, message: string): never => {
  throw new IdsyncError('ERR_INPUT', `${where}: ${message}`)
}

export function readFixInput(path: string): FixEntry[] {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return fail(path, code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'I/O error'})`)
  }
  const text = decodeUtf8(path, bytes)
  const ext = extname(path).toLowerCase()
  const json = ext === '.json' || (ext !== '.csv' && /^\s*[[{]/.test(text))
  const entries = json ? fromJson(path, text) : fromCsv(path, text)
  refuseRepeats(entries)
  return entries
}

/**
 * The file as UTF-8, refused when it is not: a spreadsheet that saved the CSV in a
 * legacy code page (Windows-1252) would otherwise turn É into U+FFFD and write that.
 */
function decodeUtf8(path: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    let ok = 0
    // the first byte that does not decode: the longest prefix that does
    let hi = bytes.length
    while (ok < hi) {
      const mid = (ok + hi + 1) >> 1
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true })
        ok = mid
      } catch {
        hi = mid - 1
      }
    }
    const line = bytes.subarray(0, ok).toString('utf8').split('\n').length
    return fail(
      `${path}:${line}`,
      'the file is not UTF-8 (a spreadsheet may have saved it in a legacy code page); save it as "CSV UTF-8" and try again',
    )
  }
}

const REQUIRED = ['DISTINGUISHEDNAME', 'ATTRIBUTE', 'VALUE', 'UPDATE', 'ACTION'] as const

function fromCsv(path: string, text: string): FixEntry[] {
  let rows: { record: string[]; info: { lines: number; bytes: number } }[]
  try {
    rows = parse(text, { bom: true, info: true, skip_empty_lines: true, relax_quotes: false }) as never
  } catch (e) {
    const line = e instanceof CsvError ? (e as CsvError & { lines?: number }).lines : undefined
    return fail(
      `${path}${line ? `:${line}` : ''}`,
      `not valid CSV (${(e as Error).message.replace(/^Invalid [^:]*: /, '')})`,
    )
  }
  const header = rows[0]?.record.map((h) => h.trim().toUpperCase())
  if (!header) return fail(path, 'the file is empty; expected the header line of `idsync scan --format csv`')
  for (const col of REQUIRED) {
    if (!header.includes(col))
      fail(
        `${path}:1`,
        `missing column ${col}; expected the columns of \`idsync scan --format csv\` (${REQUIRED.join(', ')}, …)`,
      )
  }
  const at = (name: string) => header.indexOf(name)
  const out: FixEntry[] = []
  const startLine = recordLines(text, rows)
  for (const [i, { record }] of rows.entries()) {
    if (i === 0) continue
    const where = `${path}:${startLine[i]}`
    if (record.length !== header.length)
      fail(where, `expected ${header.length} columns, found ${record.length}`)
    const get = (name: string) => (at(name) < 0 ? '' : (record[at(name)] ?? ''))
    const actionText = get('ACTION').trim().toUpperCase()
    if (actionText !== '' && actionText !== 'EDIT' && actionText !== 'REMOVE') {
      fail(where, `ACTION "${get('ACTION').slice(0, 20)}": expected EDIT, REMOVE or empty`)
    }
    const entry: FixEntry = {
      where,
      dn: get('DISTINGUISHEDNAME'),
      anchor: null,
      objectClass: get('OBJECTCLASS'),
      attribute: get('ATTRIBUTE'),
      value: get('VALUE') === '' ? null : get('VALUE'),
      codes: get('ERROR')
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean),
      action: actionText === 'EDIT' ? 'edit' : actionText === 'REMOVE' ? 'remove' : null,
      update: get('UPDATE') === '' ? null : get('UPDATE'),
    }
    checkEntry(entry)
    out.push(entry)
  }
  return out
}

/**
 * The line each CSV record starts on, from the byte offsets the parser reports (its own
 * line count takes a CRLF inside a quoted cell for two lines).
 */
function recordLines(text: string, rows: readonly { info: { bytes: number } }[]): number[] {
  const buf = Buffer.from(text, 'utf8')
  const out: number[] = []
  let pos = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0
  let line = 1
  for (const { info } of rows) {
    // blank lines before the record (skipped by the parser)
    while (pos < buf.length && (buf[pos] === 0x0a || buf[pos] === 0x0d)) {
      if (buf[pos] === 0x0a) line++
      pos++
    }
    out.push(line)
    for (; pos < info.bytes && pos < buf.length; pos++) if (buf[pos] === 0x0a) line++
  }
  return out
}

function fromJson(path: string, text: string): FixEntry[] {
  // JSON.parse is the judge of validity (the YAML parser below, used for line numbers,
  // would also accept comments, trailing commas and unquoted strings)
  try {
    JSON.parse(text)
  } catch (e) {
    const message = (e as Error).message.split('\n')[0] ?? ''
    const line = text.slice(0, jsonErrorOffset(text, message)).split('\n').length
    fail(
      `${path}:${line}`,
      `not valid JSON (${message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*$/, '')})`,
    )
  }
  const lc = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true })
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? `${path}:${lc.linePos(node.range[0]).line}` : path
  const err = doc.errors[0]
  if (err) fail(`${path}:${lc.linePos(err.pos[0]).line}`, `not valid JSON (${err.message.split('\n')[0]})`)
  let list = doc.contents as Node | null
  if (isMap(list)) {
    const findings = list.get('findings', true) as Node | undefined
    if (!findings)
      fail(path, 'expected the output of `idsync scan --format json` (an object with "findings")')
    list = findings as Node
  }
  if (!isSeq(list)) return fail(lineOf(list), 'expected a list of findings')
  const out: FixEntry[] = []
  list.items.forEach((item, i) => {
    const where = `${lineOf(item as Node)} (findings[${i}])`
    if (!isMap(item)) fail(where, 'expected a finding object')
    const f = (item as { toJSON(): unknown }).toJSON() as Record<string, unknown>
    const str = (k: string, nullable = false): string | null => {
      const v = f[k]
      if (typeof v === 'string') return v
      if (nullable && (v === null || v === undefined)) return null
      if (k === 'value' && typeof v === 'number') return String(v)
      return fail(where, `"${k}": expected ${nullable ? 'a string or null' : 'a string'}`)
    }
    const action = f.action
    if (action !== 'edit' && action !== 'remove' && action !== 'none')
      fail(where, '"action": expected "edit", "remove" or "none"')
    const codes = f.codes
    if (codes !== undefined && (!Array.isArray(codes) || !codes.every((c) => typeof c === 'string')))
      fail(where, '"codes": expected a list of codes')
    const entry: FixEntry = {
      where,
      dn: str('dn') as string,
      anchor: str('anchor', true),
      objectClass: (str('objectClass', true) ?? '') as string,
      attribute: str('attribute') as string,
      value: str('value', true),
      codes: (codes as string[] | undefined) ?? [],
      action: action as 'edit' | 'remove' | 'none',
      update: str('suggestion', true),
    }
    checkEntry(entry)
    out.push(entry)
  })
  return out
}

/**
 * Where JSON.parse gave up: its message says so for some errors; for the others, the
 * longest prefix that is still valid JSON so far (a prefix that only ends too early).
 */
function jsonErrorOffset(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message)
  if (stated) return Number(stated[1])
  const validSoFar = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n))
      return true
    } catch (e) {
      const m = (e as Error).message
      const at = /at position (\d+)/.exec(m)
      return m.startsWith('Unexpected end') || (at !== null && Number(at[1]) >= n)
    }
  }
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (validSoFar(mid)) lo = mid
    else hi = mid - 1
  }
  return lo
}

function checkEntry(e: FixEntry): void {
  if (e.dn.trim() === '') fail(e.where, 'the distinguished name is empty')
  if (e.action === null || e.action === 'none') return
  if (!WRITABLE_ATTRIBUTES.has(e.attribute)) {
    fail(
      e.where,
      `${e.attribute || 'the attribute'} cannot be changed by idsync fix (it writes ${[...WRITABLE_ATTRIBUTES].join(', ')})`,
    )
  }
  if (e.action === 'edit' && (e.update === null || e.update === ''))
    fail(e.where, 'EDIT without a new value (UPDATE / suggestion is empty); use REMOVE to delete a value')
  if (e.action === 'remove' && e.value === null) fail(e.where, 'REMOVE of a value that is missing')
  if (e.action === 'edit' && e.update === e.value) fail(e.where, 'EDIT to the same value')
}

function refuseRepeats(entries: FixEntry[]): void {
  const seen = new Map<string, string>()
  for (const e of entries) {
    if (e.action === null || e.action === 'none') continue
    const key = `${e.dn.toLowerCase()}\u0000${e.attribute.toLowerCase()}\u0000${e.value ?? ''}`
    const first = seen.get(key)
    if (first) fail(e.where, `the same value of ${e.attribute} of ${e.dn} is already decided at ${first}`)
    seen.set(key, e.where)
  }
}
