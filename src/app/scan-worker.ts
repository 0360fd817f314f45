// The reading half of a scan, on its own thread: open the source, read it, judge each
// object alone (rules/scan.ts `evaluate`), and post the verdicts in batches to the
// thread that folds them. Reading and parsing cost as much as the folding, so the two
// run side by side. A few batches may be in flight; then the reader waits for acks.
import { parentPort, workerData } from 'node:worker_threads'
import type { SourceConfig } from '../config/schema.js'
import type { ByteRange } from '../connectors/ldif/reader.js'
import { LdifSource } from '../connectors/ldif/source.js'
import type { Source } from '../connectors/types.js'
import { isIdsyncError } from '../core/errors.js'
import { type Evaluated, evaluate } from '../rules/scan.js'
import type { RuleOptions } from '../rules/types.js'
import { openSource } from './open-source.js'
import { SCAN_ATTRIBUTES } from './scan-attributes.js'
import { encode, type Wire } from './scan-wire.js'

export interface ScanWorkerInput {
  source: SourceConfig
  range?: ByteRange | undefined
  rules: { set: RuleOptions['set']; suffixMap: [string, string][]; defaultSuffix?: string | undefined }
}

export type ScanWorkerMessage =
  | { type: 'batch'; wire: Wire; read: number }
  | { type: 'done'; read: number; description: string; warnings: string[] }
  | { type: 'error'; code: string | null; message: string; stack: string }

/** An error as it crosses to the main thread: an IdsyncError keeps its code and message. */
export function errorMessage(e: unknown): ScanWorkerMessage & { type: 'error' } {
  const err = e instanceof Error ? e : null
  return {
    type: 'error',
    code: isIdsyncError(e) ? e.code : null,
    message: err?.message ?? String(e),
    stack: `${err?.stack ?? ''}${err?.cause instanceof Error ? `\ncaused by: ${err.cause.stack}` : ''}`,
  }
}

const BATCH = 512
const IN_FLIGHT = 8

async function main(): Promise<void> {
  const port = parentPort
  if (!port) return
  const input = workerData as ScanWorkerInput
  const rules: RuleOptions = { ...input.rules, suffixMap: new Map(input.rules.suffixMap) }
  let acked = 0
  let sent = 0
  let wake: (() => void) | null = null
  port.on('message', () => {
    acked++
    wake?.()
  })
  let source: Source | null = null
  let read = 0
  let items: Evaluated[] = []
  const flush = async () => {
    const wire = encode(items)
    port.postMessage({ type: 'batch', wire, read } satisfies ScanWorkerMessage, [
      wire.nums.buffer as ArrayBuffer,
    ])
    items = []
    sent++
    while (sent - acked > IN_FLIGHT) await new Promise<void>((r) => (wake = r))
  }
  try {
    // opening checks the config (a scope filter, a CA file): its errors go back as errors too
    source = openSource(input.source, input.range)
    for await (const obj of source.read({ attributes: SCAN_ATTRIBUTES })) {
      read++
      const e = evaluate(obj, rules)
      if (e.t !== 'out') items.push(e)
      if (items.length >= BATCH) await flush()
    }
    if (items.length > 0) await flush()
    const warning = source instanceof LdifSource ? source.warning : null
    port.postMessage({
      type: 'done',
      read,
      description: source.description,
      warnings: warning ? [warning] : [],
    } satisfies ScanWorkerMessage)
  } catch (e) {
    port.postMessage(errorMessage(e) satisfies ScanWorkerMessage)
  } finally {
    await source?.close()
    port.close()
  }
}

await main()
