// A streaming RFC 2849 reader: records out one at a time, memory flat in the file size.
// Handles folded lines, comments, base64 (`::`) values and attribute options; refuses
// URL (`:<`) values and change records other than `add` with an error naming the line.
// The file must be UTF-8 (a BOM is skipped): UTF-16 and invalid UTF-8 are refused, never
// decoded into U+FFFD, which would silently drop letters from names.
//
// The parser is synchronous and fed whole chunks (LdifParser); only the file read is
// async. A generator per line would spend more time in promise plumbing than in parsing.
// Bytes are checked a chunk at a time (cut after its last newline, so no character is
// split); only a chunk that fails is looked at line by line, to name the line.
import { isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { IdsyncError } from '../../core/errors.js'
import { type AttrValue, BINARY_ATTRIBUTES, type DirObject } from '../../core/model.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

export interface LdifRecord extends DirObject {
  /** line number (1-based) of the record's `dn:` line */
  readonly line: number
}

/** How the input ended. */
export interface LdifEnd {
  /**
   * false when the last line has no newline: the file was probably cut off mid-record
   * (a copy or a transfer that stopped); its last record may be incomplete
   */
  endsWithNewline: boolean
}

export interface LdifParserOptions {
  /** lines before the first one pushed (when reading a part of a file) */
  lineBase?: number
  /** lower-case names of the attributes to keep; others are checked but not decoded */
  keep?: ReadonlySet<string> | undefined
  /**
   * refuse input whose last line has no newline, before its last record is returned
   * (a reader that must not take a truncated file for a whole directory)
   */
  requireFinalNewline?: boolean
}

const UTF16 = 'the file is UTF-16; LDIF must be UTF-8 (RFC 2849): convert it, e.g. iconv -f UTF-16 -t UTF-8'

/**
 * Do the first bytes of a file look like UTF-16? It starts with a BOM (FF FE, FE FF), or
 * with ASCII text every other byte of which is NUL (no LDIF line starts with NUL).
 */
export function looksUtf16(head: Uint8Array): boolean {
  const [a, b] = head
  return (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff) || a === 0 || b === 0
}

/** names the parser itself acts on, never filtered out */
const STRUCTURAL: ReadonlySet<string> = new Set(['dn', 'version', 'changetype', 'control'])

const ATTR_DESC = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-=]+)*$/
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Text attributes are UTF-8; bytes that are not valid UTF-8 are kept as bytes. */
function decodeText(bytes: Buffer): AttrValue {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return new Uint8Array(bytes)
  }
}

/** Push text in, take complete records out. Throws IdsyncError naming file and line. */
export class LdifParser {
  private rest = ''
  private lineNo = 0
  /** the logical line being assembled from folded physical lines */
  private cur: string | null = null
  private curLine = 0
  private inComment = false
  private dn: string | null = null
  private dnLine = 0
  private attrs = new Map<string, AttrValue[]>()
  private first = true
  private out: LdifRecord[] = []
  /** attribute description as written → [lower-case name, binary?]; a file uses few names */
  private readonly names = new Map<string, [string, boolean]>()
  /** nothing pushed yet: a BOM may come */
  private atStart = true
  /** bytes after the last newline of the previous chunk (pushBytes) */
  private restBytes: Buffer | null = null
  private readonly lineBase: number
  private readonly keep: ReadonlySet<string> | undefined
  private readonly requireFinalNewline: boolean
  private endInfo: LdifEnd | null = null

  /** @param name the file name used in messages */
  constructor(
    private readonly name: string,
    options: LdifParserOptions = {},
  ) {
    this.lineBase = options.lineBase ?? 0
    this.keep = options.keep
    this.requireFinalNewline = options.requireFinalNewline ?? false
    if (this.lineBase > 0) {
      this.first = false
      this.atStart = false
    }
  }

  /** How the input ended; null before end(). */
  get ended(): LdifEnd | null {
    return this.endInfo
  }

  /**
   * Push raw bytes of the file. They must be UTF-8: a UTF-16 file, a NUL byte or an
   * invalid UTF-8 sequence throws, naming the line.
   */
  pushBytes(chunk: Buffer): LdifRecord[] {
    let buf = this.restBytes ? Buffer.concat([this.restBytes, chunk]) : chunk
    this.restBytes = null
    if (this.atStart && buf.length > 0) {
      if (looksUtf16(buf)) throw new IdsyncError('ERR_LDIF', `${this.name}: ${UTF16}`)
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3)
      this.atStart = false
    }
    const cut = buf.lastIndexOf(10) + 1
    if (cut < buf.length) this.restBytes = buf.subarray(cut)
    return cut === 0 ? [] : this.pushChecked(buf.subarray(0, cut))
  }

  /** Bytes that hold whole lines (or the file's last bytes): checked, decoded, parsed. */
  private pushChecked(bytes: Buffer): LdifRecord[] {
    if (bytes.indexOf(0) < 0 && isUtf8(bytes)) return this.push(bytes.toString('utf8'))
    // the bad line: the lines before it are parsed first, so that errors come in order
    for (let start = 0; start < bytes.length; ) {
      const nl = bytes.indexOf(10, start)
      const end = nl < 0 ? bytes.length : nl + 1
      const line = bytes.subarray(start, end)
      if (line.indexOf(0) >= 0 || !isUtf8(line)) {
        this.push(bytes.subarray(0, start).toString('utf8'))
        const n = this.lineNo + 1
        const colon = line.indexOf(58)
        const desc = colon > 0 ? line.subarray(0, colon).toString('latin1') : ''
        const what = ATTR_DESC.test(desc) ? `the value of ${desc}` : 'the line'
        if (line.indexOf(0) >= 0)
          this.fail(n, `${what} holds a NUL byte: LDIF is text (is the file UTF-16, or binary?)`)
        this.fail(
          n,
          `${what} is not valid UTF-8; LDIF must be UTF-8 (RFC 2849): convert the file, e.g. iconv -f WINDOWS-1252 -t UTF-8`,
        )
      }
      start = end
    }
    return this.push(bytes.toString('utf8')) // not reached: some line fails if the whole does
  }

  /** The end of input pushed with pushBytes. */
  endBytes(): LdifRecord[] {
    const rest = this.restBytes
    this.restBytes = null
    if (rest === null) return this.end()
    return [...this.pushChecked(rest), ...this.end()]
  }

  push(chunk: string): LdifRecord[] {
    if (this.atStart && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1)
      this.atStart = false
    }
    const text = this.rest + chunk
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl
      const c0 = text.charCodeAt(start)
      if (
        c0 !== 32 &&
        c0 !== 35 &&
        end > start &&
        this.cur === null &&
        nl + 1 < text.length &&
        text.charCodeAt(nl + 1) !== 32
      ) {
        // the common case, without a copy of the line: a whole statement, not folded
        this.inComment = false
        this.statement(text, start, end, ++this.lineNo)
      } else {
        this.physical(text.slice(start, end))
      }
      start = nl + 1
    }
    this.rest = text.slice(start)
    return this.take()
  }

  end(): LdifRecord[] {
    let last = this.rest
    this.rest = ''
    this.endInfo = { endsWithNewline: last === '' }
    if (last !== '' && this.requireFinalNewline)
      this.fail(
        this.lineNo + 1,
        'the file ends in the middle of a line (no newline after the last line): it looks truncated; refusing to read it as complete',
      )
    if (last.endsWith('\r')) last = last.slice(0, -1)
    if (last !== '') this.physical(last)
    this.flushLogical()
    this.endRecord()
    return this.take()
  }

  private take(): LdifRecord[] {
    const out = this.out
    this.out = []
    return out
  }

  private fail(line: number, message: string): never {
    throw new IdsyncError('ERR_LDIF', `${this.name}:${this.lineBase + line}: ${message}`)
  }

  private physical(raw: string): void {
    const n = ++this.lineNo
    const c0 = raw.charCodeAt(0)
    if (c0 === 32) {
      // a continuation: one leading space, then more of the previous line
      if (this.inComment) return
      if (this.cur === null)
        this.fail(n, 'continuation line (starting with a space) with nothing to continue')
      this.cur += raw.slice(1)
      return
    }
    this.flushLogical()
    if (c0 === 35) {
      this.inComment = true
      return
    }
    this.inComment = false
    if (raw === '') {
      this.endRecord()
      return
    }
    this.cur = raw
    this.curLine = n
  }

  private flushLogical(): void {
    if (this.cur === null) return
    const line = this.cur
    this.cur = null
    this.statement(line, 0, line.length, this.curLine)
  }

  private endRecord(): void {
    if (this.dn === null) return
    this.out.push({ dn: this.dn, attrs: this.attrs, line: this.dnLine })
    this.dn = null
    this.attrs = new Map()
  }

  /** One logical line, `line[from, to)`: `attribute: value`, `attribute:: base64`, `attribute:< URL`. */
  private statement(line: string, from: number, to: number, n: number): void {
    const colon = line.indexOf(':', from)
    if (colon <= from || colon >= to) this.fail(n, 'expected "attribute: value", found no colon')
    const desc = line.slice(from, colon)
    let known = this.names.get(desc)
    if (known === undefined) {
      if (!ATTR_DESC.test(desc)) this.fail(n, `"${desc.slice(0, 40)}" is not an attribute name`)
      const semi = desc.indexOf(';')
      const lower = (semi < 0 ? desc : desc.slice(0, semi)).toLowerCase()
      known = [lower, BINARY_ATTRIBUTES.has(lower)]
      if (this.names.size < 10_000) this.names.set(desc, known)
    }
    const [name, binary] = known
    if (this.keep !== undefined && this.dn !== null && !this.keep.has(name) && !STRUCTURAL.has(name)) return
    const kind = line.charCodeAt(colon + 1)
    let value: AttrValue
    if (kind === 58 /* : */) {
      const b64 = line.slice(colon + 2, to).trim()
      if (!BASE64.test(b64) || b64.length % 4 === 1) this.fail(n, `the value of ${desc} is not valid base64`)
      const bytes = Buffer.from(b64, 'base64')
      value = binary ? new Uint8Array(bytes) : decodeText(bytes)
    } else if (kind === 60 /* < */) {
      this.fail(
        n,
        `URL values (${desc}:< …) are not supported; put the value in the file, base64-encoded with "::"`,
      )
    } else {
      let i = colon + 1
      while (i < to && line.charCodeAt(i) === 32) i++
      const text = line.slice(i, to)
      value = binary ? new Uint8Array(Buffer.from(text, 'latin1')) : text
    }
    if (this.dn === null) {
      if (this.first && name === 'version') {
        if (value !== '1') this.fail(n, 'unsupported LDIF version (expected 1)')
        this.first = false
        return
      }
      this.first = false
      if (name !== 'dn') this.fail(n, `expected "dn:" to start a record, found "${desc}:"`)
      this.dn = typeof value === 'string' ? value : Buffer.from(value).toString('utf8')
      this.dnLine = n
      return
    }
    if (name === 'dn') this.fail(n, 'a second "dn:" in one record (records are separated by a blank line)')
    if (name === 'changetype') {
      if (value === 'add') return
      this.fail(
        n,
        `change records (changetype: ${String(value).slice(0, 20)}) are not a directory; expected content records`,
      )
    }
    if (name === 'control')
      this.fail(n, '"control:" lines belong to change records; expected content records')
    const list = this.attrs.get(name)
    if (list) list.push(value)
    else this.attrs.set(name, [value])
  }
}

function ioError(path: string, e: unknown): IdsyncError {
  const code = (e as NodeJS.ErrnoException).code
  const what =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory, expected an LDIF file'
        : code === 'EACCES'
          ? 'permission denied'
          : `cannot be read (${code ?? 'I/O error'})`
  return new IdsyncError('ERR_LDIF', `${path}: ${what}`, { cause: e })
}

/** A byte range of a file that starts at a record boundary (see split.ts). */
export interface ByteRange {
  start: number
  /** exclusive */
  end: number
}

export interface ReadLdifOptions {
  /** read only this part of the file */
  range?: ByteRange | undefined
  /** the attributes to decode (`*`: all); others are checked but skipped */
  attributes?: readonly string[] | undefined
  /** refuse a file whose last line has no newline (see LdifParserOptions) */
  requireFinalNewline?: boolean
  /** told how the file (or the part) ended, once it has been read to the end */
  onEnd?: (end: LdifEnd) => void
}

/**
 * Read the records of an LDIF file, or of one part of it. A malformed file throws an
 * IdsyncError naming the file and line; records already yielded before that point are
 * the caller's to discard.
 */
export async function* readLdif(path: string, options: ReadLdifOptions = {}): AsyncGenerator<LdifRecord> {
  const { range, attributes } = options
  const keep =
    attributes && !attributes.includes('*') ? new Set(attributes.map((a) => a.toLowerCase())) : undefined
  const parser = new LdifParser(path, {
    lineBase: range && range.start > 0 ? await linesBefore(path, range.start) : 0,
    keep,
    requireFinalNewline: options.requireFinalNewline ?? false,
  })
  const stream = createReadStream(path, {
    highWaterMark: 1 << 20,
    ...(range ? { start: range.start, end: range.end - 1 } : {}),
  })
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield* parser.pushBytes(chunk)
  } catch (e) {
    if (e instanceof IdsyncError) throw e
    throw ioError(path, e)
  } finally {
    stream.destroy()
  }
  yield* parser.endBytes()
  if (parser.ended) options.onEnd?.(parser.ended)
}

/** How many lines end before byte `offset`: line numbers of a part read on its own. */
async function linesBefore(path: string, offset: number): Promise<number> {
  let count = 0
  const stream = createReadStream(path, { start: 0, end: offset - 1, highWaterMark: 1 << 20 })
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count++
  }
  return count
}

/** Parse LDIF text held in memory (small inputs, tests). */
export function parseLdif(text: string, name = 'input', options: LdifParserOptions = {}): LdifRecord[] {
  const p = new LdifParser(name, options)
  return [...p.push(text), ...p.end()]
}

/** Parse LDIF bytes held in memory: checked as a file is (UTF-8, BOM, UTF-16). */
export function parseLdifBytes(bytes: Buffer, name = 'input', options: LdifParserOptions = {}): LdifRecord[] {
  const p = new LdifParser(name, options)
  return [...p.pushBytes(bytes), ...p.endBytes()]
}
