// Turns per-object contributions into the final findings once the whole forest has been
// read: duplicates (hash indexes with case-folded keys, never quadratic), the duplicate
// policy, UPN mismatch suggestions, the sAMAccountName gate, severities and actions.
import type { IndexEntry, IndexSpace, ObjectContributions, ValueFinding } from './contributions.js'
import { ATTRIBUTE_ORDER } from './contributions.js'
import { type Code, type Finding, type ScanResult, severityOf, sortCodes } from './types.js'

export interface ObjectInfo {
  dn: string
  objectClass: string
  anchor: string | null
}

interface Holder {
  obj: number
  entry: IndexEntry
}

/**
 * One uniqueness namespace: case-folded key → the entries holding it, chained through
 * an array of entry numbers, and the keys held more than once remembered as they
 * appear, so that resolving duplicates never walks the whole index.
 */
class UniqueIndex {
  private readonly head = new Map<string, number>()
  private readonly next: number[] = []
  private readonly objs: number[] = []
  private readonly entries: IndexEntry[] = []
  readonly repeated: string[] = []

  add(obj: number, entry: IndexEntry): void {
    const id = this.entries.push(entry) - 1
    this.objs.push(obj)
    const first = this.head.get(entry.key)
    if (first === undefined) {
      this.next.push(-1)
    } else {
      this.next.push(first)
      if (this.next[first] === -1) this.repeated.push(entry.key)
    }
    this.head.set(entry.key, id)
  }

  /** The holders of a key, in the order they were added. */
  holders(key: string): Holder[] {
    const out: Holder[] = []
    for (let id = this.head.get(key) ?? -1; id !== -1; id = this.next[id] as number) {
      out.push({ obj: this.objs[id] as number, entry: this.entries[id] as IndexEntry })
    }
    return out.reverse()
  }
}

interface Pending extends ValueFinding {
  obj: number
  conflictsWith: string[]
  duplicateAction?: 'remove' | 'none'
}

const ORDER = new Map(ATTRIBUTE_ORDER.map((a, i) => [a, i]))
const keyOf = (obj: number, attribute: string, valueIdx: number): string =>
  `${obj}\u0000${attribute}\u0000${valueIdx}`

export class FindingCollector {
  private readonly objects: ObjectInfo[] = []
  private readonly findings = new Map<string, Pending>()
  private readonly indexes = new Map<IndexSpace, UniqueIndex>()
  private inScope = 0
  private skippedCount = 0

  countSkipped(): void {
    this.inScope++
    this.skippedCount++
  }

  /** A replication conflict object: one warning on `dn`, counted as skipped. */
  addConflict(info: ObjectInfo): void {
    this.countSkipped()
    const obj = this.objects.push(info) - 1
    this.findings.set(keyOf(obj, 'dn', 0), {
      obj,
      attribute: 'dn',
      valueIdx: 0,
      value: info.dn,
      codes: ['conflict'],
      suggestion: null,
      forcedAction: 'none',
      conflictsWith: [],
    })
  }

  add(info: ObjectInfo, contributions: ObjectContributions): void {
    this.inScope++
    const obj = this.objects.push(info) - 1
    for (const f of contributions.findings) {
      this.findings.set(keyOf(obj, f.attribute, f.valueIdx), { ...f, obj, conflictsWith: [] })
    }
    for (const entry of contributions.index) {
      let index = this.indexes.get(entry.space)
      if (!index) {
        index = new UniqueIndex()
        this.indexes.set(entry.space, index)
      }
      index.add(obj, entry)
    }
  }

  finish(): ScanResult {
    this.resolveDuplicates('smtp')
    this.resolveDuplicates('mailNickname')
    this.resolveDuplicates('targetAddress')
    this.resolveMismatch()
    this.applyUpnGate()
    this.resolveDuplicates('sAMAccountName')
    return this.result()
  }

  private pendingFor(h: Holder): Pending {
    const key = keyOf(h.obj, h.entry.attribute, h.entry.valueIdx)
    let f = this.findings.get(key)
    if (!f) {
      f = {
        obj: h.obj,
        attribute: h.entry.attribute,
        valueIdx: h.entry.valueIdx,
        value: h.entry.value,
        codes: [],
        suggestion: null,
        conflictsWith: [],
      }
      if (h.entry.gatedByUpn) f.gatedByUpn = true
      this.findings.set(key, f)
    }
    return f
  }

  private resolveDuplicates(space: IndexSpace): void {
    const index = this.indexes.get(space)
    if (!index) return
    for (const key of index.repeated) {
      const value = index.holders(key)
      const objects = [...new Set(value.map((h) => h.obj))].sort((a, b) => a - b)
      if (objects.length < 2) continue
      // the duplicate policy: one holder with it as UPN or primary address, the others
      // only as secondary smtp: values → those secondary values are removed
      const strong = new Set(value.filter((h) => h.entry.strong).map((h) => h.obj))
      const removeWeak = space === 'smtp' && strong.size === 1
      for (const h of value) {
        if (space === 'sAMAccountName' && h.entry.gatedByUpn && !this.upnGateOpen(h.obj)) continue
        const f = this.pendingFor(h)
        if (!f.codes.includes('duplicate')) f.codes.push('duplicate')
        f.conflictsWith = objects.filter((o) => o !== h.obj).map((o) => this.objects[o]?.dn ?? '')
        f.duplicateAction = removeWeak && !strong.has(h.obj) ? 'remove' : 'none'
      }
    }
  }

  private resolveMismatch(): void {
    const upns = this.indexes.get('smtp')
    for (const f of this.findings.values()) {
      if (f.mismatchCandidate === undefined) continue
      const list = upns?.holders(f.mismatchCandidate.toLowerCase()) ?? []
      const takenAsUpn = list.some((h) => h.obj !== f.obj && h.entry.attribute === 'userPrincipalName')
      if (!takenAsUpn) f.suggestion = f.mismatchCandidate
    }
  }

  /** sAMAccountName of a user is checked only when its UPN is missing or has an error finding. */
  private upnGateOpen(obj: number): boolean {
    const upn = this.findings.get(keyOf(obj, 'userPrincipalName', 0))
    if (!upn) return false
    return upn.codes.includes('blank') || severityOf('userPrincipalName', upn.codes) === 'error'
  }

  private applyUpnGate(): void {
    for (const [key, f] of this.findings) {
      if (f.gatedByUpn && !this.upnGateOpen(f.obj)) this.findings.delete(key)
    }
  }

  private result(): ScanResult {
    const pending = [...this.findings.values()].filter((f) => f.codes.length > 0)
    pending.sort(
      (a, b) =>
        a.obj - b.obj ||
        (ORDER.get(a.attribute) ?? 99) - (ORDER.get(b.attribute) ?? 99) ||
        a.valueIdx - b.valueIdx,
    )
    const byCode: Partial<Record<Code, number>> = {}
    const findings: Finding[] = pending.map((f) => {
      const info = this.objects[f.obj] as ObjectInfo
      const codes = sortCodes(f.codes)
      for (const c of codes) byCode[c] = (byCode[c] ?? 0) + 1
      let suggestion = f.suggestion
      let action: Finding['action']
      if (f.duplicateAction !== undefined) {
        suggestion = null
        action = f.duplicateAction
      } else if (f.forcedAction !== undefined) {
        suggestion = null
        action = f.forcedAction
      } else {
        action = suggestion === null ? 'none' : 'edit'
      }
      return {
        dn: info.dn,
        objectClass: info.objectClass,
        anchor: info.anchor,
        attribute: f.attribute,
        value: f.value,
        codes,
        severity: severityOf(f.attribute, codes),
        suggestion,
        action,
        conflictsWith: f.conflictsWith,
      }
    })
    return {
      summary: { objects: this.inScope, skipped: this.skippedCount, findings: findings.length, byCode },
      findings,
    }
  }
}
