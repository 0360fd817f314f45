// A streaming RFC 2849 reader: records out one at a time, memory flat in the file size.
// Handles folded lines, comments, base64 (`::`) values and attribute options; refuses
// URL (`:<`) values and change records other than `add` with an error naming the line.
import { createReadStream } from 'node:fs'
import { IdsyncError } from '../../core/errors.js'
import { type AttrValue, type DirObject, isBinaryAttribute } from '../../core/model.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export interface LdifRecord extends DirObject {
  /** line number (1-based) of the record's `dn:` line */
  readonly line: number
}

/** Read a file as lines (LF or CRLF), with their 1-based numbers, in large chunks. */
async function* lines(path: string): AsyncGenerator<[string, number]> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })
  let rest = ''
  let n = 0
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = rest + chunk
      let start = 0
      for (;;) {
        const nl = text.indexOf('\n', start)
        if (nl < 0) break
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
        yield [text.slice(start, end), ++n]
        start = nl + 1
      }
      rest = text.slice(start)
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new IdsyncError('ERR_LDIF', `${path}: no such file`, { cause: e })
    if (code === 'EISDIR')
      throw new IdsyncError('ERR_LDIF', `${path}: is a directory, expected an LDIF file`, { cause: e })
    if (code === 'EACCES') throw new IdsyncError('ERR_LDIF', `${path}: permission denied`, { cause: e })
    throw new IdsyncError('ERR_LDIF', `${path}: cannot be read (${code ?? 'I/O error'})`, { cause: e })
  }
  if (rest.endsWith('\r')) rest = rest.slice(0, -1)
  if (rest !== '') yield [rest, ++n]
}

/** Logical lines: folded continuations joined, comments dropped, blank lines kept as ''. */
async function* logicalLines(path: string): AsyncGenerator<[string, number]> {
  let cur: string | null = null
  let curLine = 0
  let inComment = false
  for await (const [raw, n] of lines(path)) {
    if (raw.startsWith(' ')) {
      if (inComment) continue
      if (cur === null)
        throw new IdsyncError(
          'ERR_LDIF',
          `${path}:${n}: continuation line (starting with a space) with nothing to continue`,
        )
      cur += raw.slice(1)
      continue
    }
    if (cur !== null) {
      yield [cur, curLine]
      cur = null
    }
    if (raw.startsWith('#')) {
      inComment = true
      continue
    }
    inComment = false
    if (raw === '') {
      yield ['', n]
      continue
    }
    cur = raw
    curLine = n
  }
  if (cur !== null) yield [cur, curLine]
}

interface Parsed {
  name: string
  value: AttrValue
}

const ATTR_DESC = /^[A-Za-z0-9][A-Za-z0-9-]*(;[A-Za-z0-9-=]+)*$|^[0-9]+(\.[0-9]+)*(;[A-Za-z0-9-=]+)*$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

function parseLine(path: string, line: string, n: number): Parsed {
  const colon = line.indexOf(':')
  if (colon <= 0)
    throw new IdsyncError('ERR_LDIF', `${path}:${n}: expected "attribute: value", found no colon`)
  const desc = line.slice(0, colon)
  if (!ATTR_DESC.test(desc))
    throw new IdsyncError('ERR_LDIF', `${path}:${n}: "${desc.slice(0, 40)}" is not an attribute name`)
  const name = desc.split(';')[0] as string
  const kind = line[colon + 1]
  if (kind === ':') {
    const b64 = line.slice(colon + 2).trim()
    if (!BASE64.test(b64) || b64.length % 4 === 1) {
      throw new IdsyncError('ERR_LDIF', `${path}:${n}: the value of ${name} is not valid base64`)
    }
    const bytes = Buffer.from(b64, 'base64')
    return { name, value: isBinaryAttribute(name) ? new Uint8Array(bytes) : decodeText(bytes) }
  }
  if (kind === '<') {
    throw new IdsyncError(
      'ERR_LDIF',
      `${path}:${n}: URL values (${name}:< …) are not supported; put the value in the file, base64-encoded with "::"`,
    )
  }
  const value = line.slice(colon + 1).replace(/^ +/, '')
  return { name, value: isBinaryAttribute(name) ? new Uint8Array(Buffer.from(value, 'latin1')) : value }
}

/** Text attributes are UTF-8; bytes that are not valid UTF-8 are kept as bytes. */
function decodeText(bytes: Buffer): AttrValue {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return new Uint8Array(bytes)
  }
}

/**
 * Read the records of an LDIF file. A malformed file throws an IdsyncError naming the
 * file and line; records already yielded before that point are the caller's to discard.
 */
export async function* readLdif(path: string): AsyncGenerator<LdifRecord> {
  let dn: string | null = null
  let dnLine = 0
  let attrs = new Map<string, AttrValue[]>()
  let first = true
  for await (const [line, n] of logicalLines(path)) {
    if (line === '') {
      if (dn !== null) {
        yield { dn, attrs, line: dnLine }
        dn = null
        attrs = new Map()
      }
      continue
    }
    const { name, value } = parseLine(path, line, n)
    const lower = name.toLowerCase()
    if (dn === null) {
      if (first && lower === 'version') {
        if (value !== '1')
          throw new IdsyncError('ERR_LDIF', `${path}:${n}: unsupported LDIF version (expected 1)`)
        first = false
        continue
      }
      first = false
      if (lower !== 'dn')
        throw new IdsyncError('ERR_LDIF', `${path}:${n}: expected "dn:" to start a record, found "${name}:"`)
      dn = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
      dnLine = n
      continue
    }
    if (lower === 'dn')
      throw new IdsyncError(
        'ERR_LDIF',
        `${path}:${n}: a second "dn:" in one record (records are separated by a blank line)`,
      )
    if (lower === 'changetype') {
      if (value === 'add') continue
      throw new IdsyncError(
        'ERR_LDIF',
        `${path}:${n}: change records (changetype: ${String(value).slice(0, 20)}) are not a directory; expected content records`,
      )
    }
    if (lower === 'control')
      throw new IdsyncError(
        'ERR_LDIF',
        `${path}:${n}: "control:" lines belong to change records; expected content records`,
      )
    const list = attrs.get(lower)
    if (list) list.push(value)
    else attrs.set(lower, [value])
  }
  if (dn !== null) yield { dn, attrs, line: dnLine }
}
