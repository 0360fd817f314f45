// The three output formats of `idsync scan` (health-rules.md, "Output formats"):
// a table grouped by code for people, the IdFix CSV columns for spreadsheets, and JSON
// for scripts. In the table a finding with several codes is listed in the section of
// each: every section is then complete (all the objects with, say, a non-routable
// domain), and agrees with the count of its code at the top.
import { stringify } from 'csv-stringify/sync'
import { rdnValue } from '../../core/dn.js'
import { CODES, type Finding, type ScanResult } from '../../rules/types.js'

export type ScanFormat = 'table' | 'csv' | 'json'

export const CSV_COLUMNS = [
  'DISTINGUISHEDNAME',
  'COMMONNAME',
  'OBJECTCLASS',
  'ATTRIBUTE',
  'ERROR',
  'VALUE',
  'UPDATE',
  'ACTION',
] as const

/**
 * ACTION is the reviewer's column, as in IdFix: empty after a scan. A person sets EDIT or
 * REMOVE; `idsync fix --accept-suggested` takes the scan's proposals where it is empty.
 */
const csvAction = (_f: Finding): string => ''

export function scanCsv(result: ScanResult): string {
  const rows = result.findings.map((f) => [
    f.dn,
    rdnValue(f.dn),
    f.objectClass,
    f.attribute,
    f.codes.join(', '),
    f.value === null ? '' : String(f.value),
    f.suggestion ?? '',
    csvAction(f),
  ])
  const text = stringify([[...CSV_COLUMNS], ...rows], { record_delimiter: '\r\n' })
  return text.endsWith('\r\n') ? text : `${text}\r\n`
}

export function scanJson(result: ScanResult): string {
  return `${JSON.stringify({ summary: result.summary, findings: result.findings }, null, 2)}\n`
}

const show = (v: string | number | null): string => {
  if (v === null) return '(missing)'
  if (typeof v === 'number') return String(v)
  // make invisible characters visible: a trailing space or a no-break space is the point
  return /^\s|\s$|[^\x20-\x7e\u00a1-\uffff]|\u00a0/.test(v) ? JSON.stringify(v) : v
}

function clip(s: string, width: number): string {
  return s.length <= width ? s.padEnd(width) : `${s.slice(0, width - 1)}…`
}

export function scanTable(result: ScanResult, header: string): string {
  const out: string[] = [header, '']
  const { summary } = result
  const errors = result.findings.filter((f) => f.severity === 'error').length
  out.push(
    `${summary.objects.toLocaleString('en-US')} objects (${summary.skipped.toLocaleString('en-US')} skipped), ` +
      `${summary.findings.toLocaleString('en-US')} findings: ${errors.toLocaleString('en-US')} errors, ` +
      `${(summary.findings - errors).toLocaleString('en-US')} warnings`,
  )
  if (result.findings.length === 0) {
    out.push('', 'No findings: nothing here would be rejected by the targets.')
    return `${out.join('\n')}\n`
  }
  out.push('', 'code             findings')
  for (const c of CODES) {
    const n = summary.byCode[c]
    if (n) out.push(`${c.padEnd(16)} ${String(n).padStart(8)}`)
  }
  const multi = result.findings.filter((f) => f.codes.length > 1).length
  if (multi > 0)
    out.push(
      `(${multi.toLocaleString('en-US')} finding${multi === 1 ? ' has' : 's have'} several codes: counted and listed under each of them)`,
    )
  const groups = new Map<string, Finding[]>()
  for (const f of result.findings) {
    for (const key of f.codes) {
      const list = groups.get(key)
      if (list) list.push(f)
      else groups.set(key, [f])
    }
  }
  for (const c of CODES) {
    const list = groups.get(c)
    if (!list) continue
    out.push('', `── ${c} (${list.length}) ${'─'.repeat(Math.max(0, 60 - c.length))}`)
    out.push(
      `${clip('object', 26)} ${clip('attribute', 18)} ${clip('value', 32)} ${clip('suggestion', 32)} action  codes`,
    )
    for (const f of list) {
      out.push(
        `${clip(rdnValue(f.dn), 26)} ${clip(f.attribute, 18)} ${clip(show(f.value), 32)} ${clip(f.suggestion === null ? '' : show(f.suggestion), 32)} ${f.action.padEnd(7)} ${f.codes.join(',')}${f.severity === 'warning' ? ' (warning)' : ''}`,
      )
      if (f.conflictsWith.length > 0)
        out.push(`    also held by: ${f.conflictsWith.map(rdnValue).join('; ')}`)
    }
  }
  out.push(
    '',
    'Objects are shown by name; --format csv or --format json (--out FILE) have full DNs and anchors.',
  )
  return `${out.join('\n')}\n`
}
