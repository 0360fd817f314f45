// The scan as a pure fold: objects in (any order, streamed), a ScanResult out. The
// caller owns the I/O; this module owns scope, skips and the rule set.
//
// It comes in two halves so the caller may run them on different threads: `evaluate`
// looks at one object alone (scope, skips, the rule set) and returns plain,
// serialisable data; `Scanner.collect` folds those into the forest-wide result.
import { anchorOf, type DirObject, texts } from '../core/model.js'
import { FindingCollector, type ObjectInfo } from './collector.js'
import type { ObjectContributions } from './contributions.js'
import { entraRules } from './entra.js'
import { googleRules } from './google.js'
import { kindOf, type ObjectKind, skipReason } from './scope.js'
import type { RuleOptions, ScanResult } from './types.js'

type RuleSet = (obj: DirObject, kind: ObjectKind, opts: RuleOptions) => ObjectContributions

const RULE_SETS: Record<RuleOptions['set'], RuleSet> = { entra: entraRules, google: googleRules }

/** One object's verdict before the forest is known. */
export type Evaluated =
  | { t: 'out' }
  | { t: 'skipped' }
  | { t: 'conflict'; info: ObjectInfo }
  | { t: 'scanned'; info: ObjectInfo; c: ObjectContributions }

export function evaluate(obj: DirObject, opts: RuleOptions): Evaluated {
  const kind = kindOf(obj)
  if (kind === null) return { t: 'out' }
  const skip = skipReason(obj)
  if (skip === null) return { t: 'scanned', info: infoOf(obj), c: RULE_SETS[opts.set](obj, kind, opts) }
  if (skip === 'conflict') return { t: 'conflict', info: infoOf(obj) }
  return { t: 'skipped' }
}

export class Scanner {
  private readonly collector = new FindingCollector()

  constructor(private readonly opts: RuleOptions) {}

  add(obj: DirObject): void {
    this.collect(evaluate(obj, this.opts))
  }

  collect(e: Evaluated): void {
    switch (e.t) {
      case 'scanned':
        this.collector.add(e.info, e.c)
        return
      case 'conflict':
        this.collector.addConflict(e.info)
        return
      case 'skipped':
        this.collector.countSkipped()
        return
      case 'out':
        return
    }
  }

  finish(): ScanResult {
    return this.collector.finish()
  }
}

function infoOf(obj: DirObject): ObjectInfo {
  const classes = texts(obj, 'objectclass')
  return { dn: obj.dn, objectClass: classes[classes.length - 1] ?? '', anchor: anchorOf(obj) }
}

/** Scan a finite list (tests, small inputs). */
export function scanObjects(objects: Iterable<DirObject>, opts: RuleOptions): ScanResult {
  const s = new Scanner(opts)
  for (const o of objects) s.add(o)
  return s.finish()
}
