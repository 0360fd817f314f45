// The fix use cases: turn reviewed findings into planned changes (re-validated, checked
// for collisions against the live directory), the UPN suffix migration, and the undo
// of a journaled batch. Applying them is batch.ts's job.
import type { SourceConfig } from '../config/schema.js'
import type { WritableDirectory } from '../connectors/types.js'
import { normalizeDn } from '../core/dn.js'
import { IdsyncError } from '../core/errors.js'
import { splitAddress } from '../rules/address.js'
import { parseProxy } from '../rules/entra.js'
import type { Finding, RuleOptions } from '../rules/types.js'
import { MULTI_VALUED, validateNewValue } from '../rules/validate.js'
import { passes, UPN } from '../rules/values.js'
import type { JournalChange, Store } from '../store/types.js'
import type { PlannedChange } from './changes.js'
import type { FixEntry } from './fix-input.js'
import { runScan } from './scan.js'

export interface PlanFixOptions {
  rules: RuleOptions
  /** only findings with one of these codes */
  only?: readonly string[]
  /** where the file holds no decision, take the scan's current proposal */
  acceptSuggested: boolean
  /** the source, for a fresh scan when suggestions are accepted */
  source: SourceConfig
}

const findingKey = (dn: string, attribute: string, value: string | null) =>
  `${dn.toLowerCase()}\u0000${attribute.toLowerCase()}\u0000${value ?? ''}`

/** The addresses a new value would claim in the forest-wide SMTP namespace. */
function claimedAddress(attribute: string, value: string): string | null {
  if (attribute === 'userPrincipalName' || attribute === 'mail') return value
  if (attribute === 'proxyAddresses') {
    const p = parseProxy(value)
    return p.kind === 'SMTP' || p.kind === 'smtp' ? p.rest : null
  }
  return null
}

export async function planFix(
  entries: readonly FixEntry[],
  dir: WritableDirectory,
  opts: PlanFixOptions,
): Promise<PlannedChange[]> {
  let decided: readonly FixEntry[] = entries
  /** entries without a decision that the fresh scan no longer finds */
  const unmatched = new Set<FixEntry>()
  if (opts.acceptSuggested && entries.some((e) => e.action === null)) {
    // the file holds no decision for these (an empty CSV ACTION): take what a fresh scan
    // proposes, with the file's UPDATE when it has one (what the person reviewed)
    const fresh = await runScan(opts.source, opts.rules)
    const proposals = new Map<string, Finding>(
      fresh.findings.map((f) => [
        findingKey(f.dn, f.attribute, f.value === null ? null : String(f.value)),
        f,
      ]),
    )
    decided = entries.map((e) => {
      if (e.action !== null) return e
      const f = proposals.get(findingKey(e.dn, e.attribute, e.value))
      if (!f) {
        unmatched.add(e)
        return e
      }
      if (f.action === 'none') return e
      return {
        ...e,
        action: f.action,
        update: f.action === 'edit' ? (e.update ?? f.suggestion) : null,
        anchor: e.anchor ?? f.anchor,
        objectClass: e.objectClass || f.objectClass,
      }
    })
  }
  const only = opts.only?.length ? new Set(opts.only) : null
  const wanted = (e: FixEntry) => !only || e.codes.some((c) => only.has(c))
  const chosen = decided.filter(
    (e) => (e.action === 'edit' || e.action === 'remove' || unmatched.has(e)) && wanted(e),
  )
  const planned: PlannedChange[] = chosen.map((e) => ({
    dn: e.dn,
    anchor: e.anchor,
    attribute: e.attribute,
    action: e.action === 'remove' ? 'remove' : 'edit',
    multiValued: MULTI_VALUED.has(e.attribute),
    oldValue: e.value,
    newValue: e.action === 'remove' ? null : e.update,
    where: e.where,
  }))
  for (const [i, c] of planned.entries()) {
    if (unmatched.has(chosen[i] as FixEntry)) {
      // reported, not silently dropped: its value changed, or its problem went away
      c.refused =
        'a fresh scan no longer finds this (the value changed since the scan, or the problem is gone); nothing written'
      continue
    }
    if (c.newValue === null) continue
    const codes = validateNewValue(opts.rules.set, chosen[i]?.objectClass ?? '', c.attribute, c.newValue)
    if (codes && codes.length > 0)
      c.refused = `the new value fails the ${opts.rules.set} rules (${codes.join(', ')})`
  }
  await refuseCollisions(planned, dir)
  return releasesFirst(planned)
}

const holdKey = (dn: string, attribute: string, address: string) =>
  `${dn.toLowerCase()}\u0000${attribute}\u0000${address.toLowerCase()}`

/** The addresses a change takes away from its object (its old value, when the new one differs). */
function released(c: PlannedChange): string | null {
  if (c.refused || c.oldValue === null) return null
  const old = claimedAddress(c.attribute, c.oldValue)
  if (old === null) return null
  const next = c.newValue === null ? null : claimedAddress(c.attribute, c.newValue)
  return next !== null && next.toLowerCase() === old.toLowerCase() ? null : holdKey(c.dn, c.attribute, old)
}

/**
 * A new address must not be held by another object, unless this batch takes it away
 * from that object first; two changes must not ask for the same new address. The same
 * for a new sAMAccountName, unique in its domain.
 */
async function refuseCollisions(planned: PlannedChange[], dir: WritableDirectory): Promise<void> {
  const releases = new Set(planned.map(released).filter((k): k is string => k !== null))
  const claims = new Map<string, PlannedChange>()
  const accounts = new Map<string, PlannedChange>()
  for (const c of planned) {
    if (c.refused || c.newValue === null) continue
    if (c.attribute === 'sAMAccountName') {
      // unique in the domain: another object holding it, or another change asking for it
      const key = c.newValue.toLowerCase()
      const first = accounts.get(key)
      // the object itself (by its anchor: it may have moved since the scan) is no other holder
      const others = (await dir.holders('sAMAccountName', c.newValue)).filter((h) =>
        c.anchor ? !h.guids.includes(c.anchor) : normalizeDn(h.dn) !== normalizeDn(c.dn),
      )
      if (first) c.refused = `the same new sAMAccountName is also asked for ${first.dn}`
      else if (others.length > 0)
        c.refused = `the sAMAccountName is already held by ${others.map((h) => h.dn).join('; ')}`
      accounts.set(key, c)
      continue
    }
    const address = claimedAddress(c.attribute, c.newValue)
    if (address === null) continue
    const first = claims.get(address.toLowerCase())
    if (first && first.dn.toLowerCase() !== c.dn.toLowerCase()) {
      c.refused = `the same new address is also asked for ${first.dn}`
      continue
    }
    claims.set(address.toLowerCase(), c)
    const others = (await dir.addressHolders(address)).filter(
      (h) => h.dn.toLowerCase() !== c.dn.toLowerCase(),
    )
    const keeping = others.filter(
      (h) => h.attributes.length === 0 || h.attributes.some((a) => !releases.has(holdKey(h.dn, a, address))),
    )
    if (keeping.length > 0)
      c.refused = `the address is already held by ${keeping.map((h) => h.dn).join('; ')}`
  }
}

/** Changes that take an address away run before the ones that claim it (removals first). */
function releasesFirst(planned: PlannedChange[]): PlannedChange[] {
  const claimed = new Set(
    planned.map((c) =>
      c.refused || c.newValue === null ? null : claimedAddress(c.attribute, c.newValue)?.toLowerCase(),
    ),
  )
  const tier = (c: PlannedChange): number => {
    const key = released(c)
    if (key === null) return 2
    if (c.action === 'remove') return 0
    return claimed.has(key.slice(key.lastIndexOf('\u0000') + 1)) ? 1 : 2
  }
  return planned
    .map((c, i) => ({ c, i, t: tier(c) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map((x) => x.c)
}

export interface UpnSuffixUser {
  dn: string
  anchor: string | null
  upn: string
}

/**
 * Rewrite the UPN suffix `from` → `to` for every given user whose UPN ends in @from;
 * each new UPN is checked against the UPN rules and against every UPN of the forest
 * (`forestUpns`, lower case → holder DN); a collision is refused, not written.
 */
export function planUpnSuffix(
  users: readonly UpnSuffixUser[],
  from: string,
  to: string,
  forestUpns: ReadonlyMap<string, string>,
): PlannedChange[] {
  const planned: PlannedChange[] = []
  const claimed = new Map<string, string>()
  for (const u of users) {
    const [local, domain] = splitAddress(u.upn)
    if (domain.toLowerCase() !== from.toLowerCase()) continue
    const next = `${local}@${to}`
    const change: PlannedChange = {
      dn: u.dn,
      anchor: u.anchor,
      attribute: 'userPrincipalName',
      action: 'edit',
      multiValued: false,
      oldValue: u.upn,
      newValue: next,
    }
    const key = next.toLowerCase()
    const holder = forestUpns.get(key)
    if (!passes(UPN, next)) change.refused = 'the new UPN fails the UPN rules'
    else if (holder !== undefined && holder.toLowerCase() !== u.dn.toLowerCase())
      change.refused = `collision: ${next} is already the UPN of ${holder}`
    else if (claimed.has(key))
      change.refused = `collision: ${next} is also the new UPN of ${claimed.get(key)}`
    claimed.set(key, u.dn)
    planned.push(change)
  }
  return planned
}

/** The changes that restore what a batch changed, newest first. */
export async function planUndo(
  store: Store,
  batchId: string,
  force: boolean,
  /** the directory the undo writes through, compared with the one the batch wrote through */
  target?: string,
): Promise<{ changes: PlannedChange[]; written: JournalChange[]; note?: string }> {
  const batch = await store.journal.getBatch(batchId)
  if (!batch)
    throw new IdsyncError('ERR_USAGE', `no batch ${batchId} in the journal (idsync journal lists them)`)
  // another DC of the same domain is a fine place to undo through; a different directory
  // is not, and is caught object by object (its objects do not carry the journaled anchors)
  const note =
    target !== undefined && batch.source && batch.source.toLowerCase() !== target.toLowerCase()
      ? `batch ${batchId} was written through ${batch.source}; undoing it through ${target} (each object is found by its anchor)`
      : undefined
  if (batch.status === 'running')
    throw new IdsyncError(
      'ERR_USAGE',
      `batch ${batchId} is still running (pid ${batch.pid} on ${batch.host})`,
    )
  const all = await store.journal.getChanges(batchId)
  // applied, and pending ones whose outcome is unknown: the directory tells which took effect
  const written = all
    .filter(
      (c) => (c.status === 'applied' || c.status === 'pending') && c.before !== null && c.after !== null,
    )
    .reverse()
  const changes = written.map(
    (c): PlannedChange => ({
      dn: c.dn,
      anchor: c.anchor,
      attribute: c.attribute,
      action: 'restore',
      multiValued: MULTI_VALUED.has(c.attribute),
      oldValue: c.newValue,
      newValue: c.oldValue,
      restore: { expected: c.after ?? [], target: c.before ?? [], force },
    }),
  )
  return { changes, written, ...(note ? { note } : {}) }
}
