// Cutting a large LDIF file into parts that start at record boundaries (a blank line),
// so that several threads can read it at once. A blank line never occurs inside a
// record: folded lines start with a space. The cut looks for newline bytes, which only
// works for UTF-8: a file that looks like UTF-16 stays whole, so that one reader refuses
// it once, from its first line.
import { open, stat } from 'node:fs/promises'
import { type ByteRange, looksUtf16 } from './reader.js'

/** Below this size one reader is faster than starting several. */
const MIN_SPLIT_BYTES = 8 << 20

export async function splitLdif(path: string, parts: number): Promise<ByteRange[]> {
  const { size } = await stat(path)
  if (parts < 2 || size < MIN_SPLIT_BYTES) return [{ start: 0, end: size }]
  const fh = await open(path, 'r')
  try {
    const head = Buffer.alloc(2, 0x0a)
    await fh.read(head, 0, 2, 0)
    if (looksUtf16(head)) return [{ start: 0, end: size }]
    const cuts = [0]
    for (let k = 1; k < parts; k++) {
      const cut = await boundaryAfter(fh, Math.floor((size * k) / parts), size)
      if (cut !== null && cut > (cuts[cuts.length - 1] as number)) cuts.push(cut)
    }
    cuts.push(size)
    return cuts.slice(0, -1).map((start, i) => ({ start, end: cuts[i + 1] as number }))
  } finally {
    await fh.close()
  }
}

/** The offset just after the first blank line at or after `from`, or null at the end. */
async function boundaryAfter(
  fh: import('node:fs/promises').FileHandle,
  from: number,
  size: number,
): Promise<number | null> {
  const buf = Buffer.alloc(64 << 10)
  let pos = Math.max(0, from - 1)
  let carry = 0 // newlines seen at the end of the previous read, separated by optional \r
  while (pos < size) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos)
    if (bytesRead === 0) return null
    for (let i = 0; i < bytesRead; i++) {
      const c = buf[i]
      if (c === 10) {
        if (carry > 0) return pos + i + 1
        carry = 1
      } else if (c !== 13) {
        carry = 0
      }
    }
    pos += bytesRead
  }
  return null
}
