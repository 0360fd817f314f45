// A compact form of scan verdicts for the trip between threads. Structured clone of
// hundreds of thousands of small objects costs as much as reading them; one string
// (all texts, back to back) plus one Int32Array (kinds, lengths, codes) costs little.
// Findings are rare and travel as they are.
import type { ObjectInfo } from '../rules/collector.js'
import {
  ATTRIBUTE_ORDER,
  type IndexEntry,
  type IndexSpace,
  type ValueFinding,
} from '../rules/contributions.js'
import type { Evaluated } from '../rules/scan.js'

export interface Wire {
  text: string
  nums: Int32Array
  findings: ValueFinding[]
}

const SPACES: readonly IndexSpace[] = ['smtp', 'mailNickname', 'targetAddress', 'sAMAccountName']
const SPACE_CODE = new Map(SPACES.map((s, i) => [s, i]))
const ATTR_CODE = new Map(ATTRIBUTE_ORDER.map((a, i) => [a, i]))
const KIND = { skipped: 1, conflict: 2, scanned: 3 } as const
const STRONG = 1
const GATED = 2
const VALUE_IS_KEY = 4

/** A growable Int32Array: the numbers of a batch, written in place. */
class Ints {
  buf = new Int32Array(1 << 14)
  n = 0
  push(v: number): void {
    if (this.n === this.buf.length) {
      const bigger = new Int32Array(this.buf.length * 2)
      bigger.set(this.buf)
      this.buf = bigger
    }
    this.buf[this.n++] = v
  }
}

export function encode(items: readonly Evaluated[]): Wire {
  let text = ''
  const nums = new Ints()
  const findings: ValueFinding[] = []
  const str = (s: string) => {
    text += s
    nums.push(s.length)
  }
  for (const e of items) {
    if (e.t === 'out') continue
    nums.push(KIND[e.t])
    if (e.t === 'skipped') continue
    str(e.info.dn)
    str(e.info.objectClass)
    if (e.info.anchor === null) nums.push(-1)
    else str(e.info.anchor)
    if (e.t === 'conflict') continue
    nums.push(e.c.findings.length)
    nums.push(e.c.index.length)
    for (const f of e.c.findings) findings.push(f)
    for (const x of e.c.index) {
      const attr = ATTR_CODE.get(x.attribute)
      if (attr === undefined) throw new Error(`scan-wire: no code for attribute ${x.attribute}`)
      const same = x.value === x.key
      nums.push(SPACE_CODE.get(x.space) as number)
      nums.push(attr)
      nums.push(x.valueIdx)
      nums.push((x.strong ? STRONG : 0) | (x.gatedByUpn ? GATED : 0) | (same ? VALUE_IS_KEY : 0))
      str(x.key)
      if (!same) str(x.value)
    }
  }
  return { text, nums: nums.buf.slice(0, nums.n), findings }
}

export function decode(w: Wire): Evaluated[] {
  const out: Evaluated[] = []
  const { text, nums, findings } = w
  let n = 0
  let pos = 0
  let f = 0
  const num = () => nums[n++] as number
  const str = () => {
    const len = num()
    const s = text.slice(pos, pos + len)
    pos += len
    return s
  }
  while (n < nums.length) {
    const kind = num()
    if (kind === KIND.skipped) {
      out.push({ t: 'skipped' })
      continue
    }
    const dn = str()
    const objectClass = str()
    let anchor: string | null = null
    if (nums[n] === -1) n++
    else anchor = str()
    const info: ObjectInfo = { dn, objectClass, anchor }
    if (kind === KIND.conflict) {
      out.push({ t: 'conflict', info })
      continue
    }
    const nf = num()
    const ni = num()
    const index: IndexEntry[] = []
    for (let i = 0; i < ni; i++) {
      const space = SPACES[num()] as IndexSpace
      const attribute = ATTRIBUTE_ORDER[num()] as string
      const valueIdx = num()
      const flags = num()
      const key = str()
      const value = flags & VALUE_IS_KEY ? key : str()
      const entry: IndexEntry = { space, key, attribute, valueIdx, value, strong: (flags & STRONG) !== 0 }
      if (flags & GATED) entry.gatedByUpn = true
      index.push(entry)
    }
    out.push({ t: 'scanned', info, c: { findings: findings.slice(f, f + nf), index } })
    f += nf
  }
  return out
}
