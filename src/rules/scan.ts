// The scan as a pure fold: objects in (any order, streamed), a ScanResult out. The
// caller owns the I/O; this module owns scope, skips and the rule set.
import { anchorOf, type DirObject, texts } from '../core/model.js'
import { FindingCollector } from './collector.js'
import type { ObjectContributions } from './contributions.js'
import { entraRules } from './entra.js'
import { googleRules } from './google.js'
import { kindOf, type ObjectKind, skipReason } from './scope.js'
import type { RuleOptions, ScanResult } from './types.js'

type RuleSet = (obj: DirObject, kind: ObjectKind, opts: RuleOptions) => ObjectContributions

const RULE_SETS: Record<RuleOptions['set'], RuleSet> = { entra: entraRules, google: googleRules }

export class Scanner {
  private readonly collector = new FindingCollector()
  private readonly rules: RuleSet

  constructor(private readonly opts: RuleOptions) {
    this.rules = RULE_SETS[opts.set]
  }

  add(obj: DirObject): void {
    const kind = kindOf(obj)
    if (kind === null) return
    const skip = skipReason(obj)
    if (skip === null) {
      this.collector.add(infoOf(obj), this.rules(obj, kind, this.opts))
    } else if (skip === 'conflict') {
      this.collector.addConflict(infoOf(obj))
    } else {
      this.collector.countSkipped()
    }
  }

  finish(): ScanResult {
    return this.collector.finish()
  }
}

function infoOf(obj: DirObject) {
  const classes = texts(obj, 'objectclass')
  return { dn: obj.dn, objectClass: classes[classes.length - 1] ?? '', anchor: anchorOf(obj) }
}

/** Scan a finite list (tests, small inputs). */
export function scanObjects(objects: Iterable<DirObject>, opts: RuleOptions): ScanResult {
  const s = new Scanner(opts)
  for (const o of objects) s.add(o)
  return s.finish()
}
