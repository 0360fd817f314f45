// The scan use case: read the source and fold every object into the rule engine.
// Reading and judging objects one by one runs on a worker thread (scan-worker.ts) while
// this thread folds the verdicts; when running from TypeScript sources (tests), both
// halves run here, through the same functions.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { SourceConfig } from '../config/schema.js'
import { ldapPartitions } from '../connectors/ldap/partitions.js'
import type { ByteRange } from '../connectors/ldif/reader.js'
import { LdifSource } from '../connectors/ldif/source.js'
import { splitLdif } from '../connectors/ldif/split.js'
import { IdsyncError, type IdsyncErrorCode } from '../core/errors.js'
import { evaluate, Scanner } from '../rules/scan.js'
import type { RuleOptions, ScanResult } from '../rules/types.js'
import { openSource } from './open-source.js'
import { SCAN_ATTRIBUTES } from './scan-attributes.js'
import { decode, type Wire } from './scan-wire.js'
import type { ScanWorkerInput, ScanWorkerMessage } from './scan-worker.js'

export { SCAN_ATTRIBUTES }

export interface ScanRun extends ScanResult {
  source: string
  seconds: number
  /** what the operator should know about the input (a file that looks truncated) */
  warnings: string[]
}

export interface ScanOptions {
  onProgress?: (count: number) => void
  /** read on a worker thread (default: yes, when running from the build) */
  thread?: boolean
}

const fromBuild = !import.meta.url.endsWith('.ts')

export async function runScan(
  source: SourceConfig,
  rules: RuleOptions,
  options: ScanOptions = {},
): Promise<ScanRun> {
  const started = performance.now()
  const scanner = new Scanner(rules)
  const read =
    (options.thread ?? fromBuild)
      ? await inWorkers(source, rules, scanner, options)
      : await inProcess(source, rules, scanner, options)
  const result = scanner.finish()
  return {
    ...result,
    source: read.description,
    seconds: (performance.now() - started) / 1000,
    warnings: read.warnings,
  }
}

interface ReadDone {
  description: string
  warnings: string[]
}

async function inProcess(
  cfg: SourceConfig,
  rules: RuleOptions,
  scanner: Scanner,
  options: ScanOptions,
): Promise<ReadDone> {
  const source = openSource(cfg)
  try {
    let n = 0
    for await (const obj of source.read({ attributes: SCAN_ATTRIBUTES })) {
      scanner.collect(evaluate(obj, rules))
      options.onProgress?.(++n)
    }
  } finally {
    await source.close()
  }
  const warning = source instanceof LdifSource ? source.warning : null
  return { description: source.description, warnings: warning ? [warning] : [] }
}

/** An error posted by a reader thread, as the error it was there. */
export function errorFromWorker(m: ScanWorkerMessage & { type: 'error' }): Error {
  const cause = Object.assign(new Error(m.message), { stack: m.stack })
  return m.code ? new IdsyncError(m.code as IdsyncErrorCode, m.message, { cause }) : cause
}

/**
 * Readers on worker threads: one per part of the source (an LDIF file large enough is
 * cut at record boundaries, an LDAP read by subtrees). Verdicts are folded in source
 * order: a later part's batches wait until the parts before it are done.
 */
async function inWorkers(
  source: SourceConfig,
  rules: RuleOptions,
  scanner: Scanner,
  options: ScanOptions,
): Promise<ReadDone> {
  const parts = Math.min(2, availableParallelism())
  // an LDIF file cut at record boundaries; an LDAP read cut into subtrees (the server
  // then works on two searches at once); each part on its own thread
  let inputs: { source: SourceConfig; range?: ByteRange }[]
  if (source.type === 'ldif') {
    const ranges = await splitLdif(source.path, parts).catch(() => [undefined])
    inputs = ranges.map((range) => ({ source, ...(range ? { range } : {}) }))
  } else {
    const split = await ldapPartitions(source, parts).catch(() => null)
    inputs = split
      ? split.map((include) => ({ source: { ...source, scope: { ...source.scope, include } } }))
      : [{ source }]
  }
  const wireRules = { set: rules.set, suffixMap: [...rules.suffixMap], defaultSuffix: rules.defaultSuffix }
  const workers = inputs.map(
    (input) =>
      new Worker(new URL('./scan-worker.js', import.meta.url), {
        workerData: { ...input, rules: wireRules } satisfies ScanWorkerInput,
      }),
  )
  const ranges = inputs
  const read = ranges.map(() => 0)
  const waiting: Wire[][] = ranges.map(() => [])
  const done = ranges.map(() => false)
  let current = 0
  let description = ''
  const warnings: string[] = []
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (e: unknown) => {
      if (settled) return
      settled = true
      for (const w of workers) void w.terminate()
      reject(e)
    }
    const progress = () => options.onProgress?.(read.reduce((a, b) => a + b, 0))
    workers.forEach((worker, i) => {
      worker.on('message', (m: ScanWorkerMessage) => {
        if (settled) return
        if (m.type === 'batch') {
          read[i] = m.read
          if (i === current) for (const e of decode(m.wire)) scanner.collect(e)
          else waiting[i]?.push(m.wire)
          worker.postMessage('ack')
          progress()
        } else if (m.type === 'done') {
          description = m.description
          warnings.push(...m.warnings)
          read[i] = m.read
          done[i] = true
          // fold the parts that waited, in order, as far as they are complete
          while (current < workers.length && done[current]) {
            current++
            for (const w of waiting[current] ?? []) for (const e of decode(w)) scanner.collect(e)
            if (current < workers.length) waiting[current] = []
          }
          if (current === workers.length) {
            settled = true
            resolve({ description, warnings })
          }
        } else {
          fail(errorFromWorker(m))
        }
      })
      worker.on('error', fail)
      worker.on('exit', (code) => {
        if (!done[i])
          fail(new Error(`a reader thread of the scan stopped (exit ${code}) before the end of its part`))
      })
    })
  })
}
