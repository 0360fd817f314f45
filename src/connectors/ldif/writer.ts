// RFC 2849 output: content and `changetype: modify` records, values base64-encoded when
// they are not SAFE-STRINGs, lines folded at 76 columns.
import type { AttrValue } from '../../core/model.js'

// RFC 2849 SAFE-INIT-CHAR / SAFE-CHAR are defined by control-character ranges
// biome-ignore lint/suspicious/noControlCharactersInRegex: the RFC's grammar, spelled out
const SAFE_INIT = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: the RFC's grammar, spelled out
const SAFE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/

function fold(line: string): string {
  if (line.length <= 76) return line
  const parts = [line.slice(0, 76)]
  for (let i = 76; i < line.length; i += 75) parts.push(` ${line.slice(i, i + 75)}`)
  return parts.join('\n')
}

/** One `name: value` line (folded), base64 with `::` when the value needs it. */
export function ldifLine(name: string, value: AttrValue): string {
  if (typeof value !== 'string') return fold(`${name}:: ${Buffer.from(value).toString('base64')}`)
  if (value === '') return `${name}:`
  if (SAFE.test(value) && SAFE_INIT.test(value) && !value.endsWith(' ')) return fold(`${name}: ${value}`)
  return fold(`${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`)
}

export interface ModifyOp {
  op: 'add' | 'delete' | 'replace'
  attribute: string
  values: AttrValue[]
}

/** A `changetype: modify` record. */
export function modifyRecord(dn: string, ops: readonly ModifyOp[], comment?: string): string {
  const out: string[] = []
  if (comment) for (const c of comment.split('\n')) out.push(`# ${c}`)
  out.push(ldifLine('dn', dn), 'changetype: modify')
  for (const o of ops) {
    out.push(`${o.op}: ${o.attribute}`)
    for (const v of o.values) out.push(ldifLine(o.attribute, v))
    out.push('-')
  }
  return `${out.join('\n')}\n`
}

/** A content record. */
export function contentRecord(dn: string, attrs: Iterable<[string, readonly AttrValue[]]>): string {
  const out = [ldifLine('dn', dn)]
  for (const [name, values] of attrs) for (const v of values) out.push(ldifLine(name, v))
  return `${out.join('\n')}\n`
}
