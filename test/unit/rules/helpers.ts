// Builders and one-line assertions shared by the rule tests: typical AD objects, a scan
// with the entra defaults, and the verdict of a finding (its codes, severity,
// suggestion, action and conflictsWith) for exact comparisons.
import { expect } from 'vitest'
import { type AttrValue, type DirObject, dirObject } from '../../../src/core/model.js'
import { scanObjects } from '../../../src/rules/scan.js'
import type { Action, Code, Finding, RuleOptions, ScanResult, Severity } from '../../../src/rules/types.js'

type Attrs = Record<string, AttrValue | AttrValue[]>

export const OU = 'OU=Staff,DC=contoso,DC=com'
export const dnOf = (cn: string, ou = OU): string => `CN=${cn},${ou}`

export const user = (cn: string, attrs: Attrs = {}, ou = OU): DirObject =>
  dirObject(dnOf(cn, ou), { objectClass: ['top', 'person', 'organizationalPerson', 'user'], ...attrs })

export const contact = (cn: string, attrs: Attrs = {}, ou = OU): DirObject =>
  dirObject(dnOf(cn, ou), { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], ...attrs })

export const group = (cn: string, attrs: Attrs = {}, ou = OU): DirObject =>
  dirObject(dnOf(cn, ou), { objectClass: ['top', 'group'], displayName: cn, ...attrs })

export function scan(objects: DirObject[], opts: Partial<RuleOptions> = {}): ScanResult {
  return scanObjects(objects, { set: 'entra', suffixMap: new Map(), ...opts })
}

export interface Verdict {
  codes: Code[]
  severity: Severity
  suggestion: string | null
  action: Action
  conflictsWith: string[]
}

export const verdict = (f: Finding): Verdict => ({
  codes: f.codes,
  severity: f.severity,
  suggestion: f.suggestion,
  action: f.action,
  conflictsWith: f.conflictsWith,
})

/** The verdict of an edit: an error whose suggestion replaces the value. */
export const edit = (codes: Code[], suggestion: string, severity: Severity = 'error'): Verdict => ({
  codes,
  severity,
  suggestion,
  action: 'edit',
  conflictsWith: [],
})

/** The verdict of a finding no automatic fix can repair. */
export const none = (codes: Code[], severity: Severity = 'error', conflictsWith: string[] = []): Verdict => ({
  codes,
  severity,
  suggestion: null,
  action: 'none',
  conflictsWith,
})

export const on = (r: ScanResult, attribute: string, dn?: string): Finding[] =>
  r.findings.filter((f) => f.attribute === attribute && (dn === undefined || f.dn === dn))

/** The one finding on `attribute` (of `dn`); fails when there are none or several. */
export function one(r: ScanResult, attribute: string, dn?: string): Finding {
  const fs = on(r, attribute, dn)
  expect(fs, `findings on ${attribute}`).toHaveLength(1)
  return fs[0] as Finding
}

/** The verdict of the one finding on `attribute`. */
export const verdictOn = (r: ScanResult, attribute: string, dn?: string): Verdict =>
  verdict(one(r, attribute, dn))

/** Scan one user and return the verdict on `attribute`, or null when it has no finding. */
export function checkUser(attrs: Attrs, attribute: string, opts: Partial<RuleOptions> = {}): Verdict | null {
  const fs = on(scan([user('Test User', attrs)], opts), attribute)
  expect(fs.length).toBeLessThanOrEqual(1)
  return fs[0] ? verdict(fs[0]) : null
}

/** The value of a finding, or undefined when there is none on `attribute`. */
export const valueOn = (r: ScanResult, attribute: string): Finding['value'] | undefined =>
  on(r, attribute)[0]?.value
