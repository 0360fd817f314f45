import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { errorFromWorker } from '../../../src/app/scan.js'
import type { ScanWorkerInput, ScanWorkerMessage } from '../../../src/app/scan-worker.js'
import { IdsyncError } from '../../../src/core/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'idsync-worker-'))
const ldif = join(dir, 'ok.ldif')
writeFileSync(ldif, 'dn: CN=A,DC=x\nobjectClass: user\ncn: A\n\n')

/** The messages a scan reader thread (run from the sources, through tsx) posts. */
function runWorker(input: ScanWorkerInput): Promise<{ messages: ScanWorkerMessage[]; error: Error | null }> {
  // the thread registers tsx itself, then loads the TypeScript module
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'))
  const entry = JSON.stringify(
    pathToFileURL(resolve(import.meta.dirname, '../../../src/app/scan-worker.ts')).href,
  )
  const worker = new Worker(`import(${api}).then((t) => { t.register(); return import(${entry}) })`, {
    eval: true,
    workerData: input,
  })
  const messages: ScanWorkerMessage[] = []
  let error: Error | null = null
  worker.on('message', (m: ScanWorkerMessage) => {
    messages.push(m)
    if (m.type === 'batch') worker.postMessage('ack')
  })
  worker.on('error', (e) => {
    error = e
  })
  return new Promise((r) => worker.on('exit', () => r({ messages, error })))
}

const rules = { set: 'entra' as const, suffixMap: [] }

describe('scan reader thread', () => {
  it('sends an error from opening the source back with its code, not as an unexpected crash', async () => {
    const { messages, error } = await runWorker({
      source: { type: 'ldif', path: ldif, scope: { include: [], exclude: [], filter: '(objectClass=*' } },
      rules,
    })
    expect(error).toBeNull()
    const last = messages.at(-1)
    expect(last).toMatchObject({ type: 'error', code: 'ERR_CONFIG' })
    expect(last?.type === 'error' && last.message).toMatch(/^source\.scope\.filter: not a valid LDAP filter/)
  })

  it('passes a truncated file on as a warning with the end of its read', async () => {
    const cut = join(dir, 'cut.ldif')
    writeFileSync(cut, 'dn: CN=A,DC=x\nobjectClass: user\ncn: A')
    const { messages } = await runWorker({
      source: { type: 'ldif', path: cut, scope: { include: [], exclude: [], filter: '(objectClass=*)' } },
      rules,
    })
    const done = messages.find((m) => m.type === 'done')
    expect(done?.type === 'done' && done.warnings).toEqual([
      expect.stringContaining(`${cut}: the last line does not end with a newline`),
    ])
  })

  it('rebuilds an IdsyncError with its code on the main thread', () => {
    const e = errorFromWorker({ type: 'error', code: 'ERR_LDIF', message: 'x.ldif:3: bad', stack: 'at …' })
    expect(e).toBeInstanceOf(IdsyncError)
    expect((e as IdsyncError).code).toBe('ERR_LDIF')
    expect(e.message).toBe('x.ldif:3: bad')
  })
})
