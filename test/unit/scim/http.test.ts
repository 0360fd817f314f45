// The SCIM HTTP client's TLS options and timeout, against local HTTPS and HTTP servers: a CA
// file is trusted, an unknown CA is refused with a message that says what to set, and a
// server that never answers is a network error after the timeout, retried like one.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ScimTarget } from '../../../src/connectors/scim/target.js'
import { TargetError } from '../../../src/connectors/types.js'
import { IdsyncError } from '../../../src/core/errors.js'

const TOKEN = 'tls-test-token-5f1e'
const hasOpenssl = existsSync('/usr/bin/openssl')

/** A throwaway CA and a certificate for 127.0.0.1 signed by it. */
function makeCerts(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' })
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  run([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=idsync test CA',
  ])
  run(['req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1'])
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n')
  run([
    'x509',
    '-req',
    '-in',
    'srv.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'srv.pem',
    '-days',
    '2',
    '-extfile',
    'ext',
  ])
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'srv.key'), cert: join(dir, 'srv.pem') }
}

const seen: (string | undefined)[] = []
function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req.headers.authorization)
  res.writeHead(200, { 'content-type': 'application/scim+json' })
  res.end(
    JSON.stringify({
      totalResults: 1,
      startIndex: 1,
      Resources: [{ id: 'u1', userName: 'a', externalId: 'x' }],
    }),
  )
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  )
}

describe.skipIf(!hasOpenssl)('SCIM over HTTPS (openssl makes a throwaway CA)', () => {
  let https: Server
  let url: string
  let ca: string
  beforeAll(async () => {
    const certs = makeCerts(mkdtempSync(join(tmpdir(), 'idsync-tls-')))
    ca = certs.ca
    https = createHttps({ key: readFileSync(certs.key), cert: readFileSync(certs.cert) }, answer)
    url = `https://${await listen(https)}/scim/v2`
  })
  afterAll(() => new Promise<void>((r) => https?.close(() => r())))

  it('trusts the CA in tls.caFile and sends the bearer token', async () => {
    const t = new ScimTarget({ name: 'tls', url, token: TOKEN, tls: { caFile: ca } })
    expect((await t.findByExternalId('user', 'x'))?.id).toBe('u1')
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`)
    await t.close()
  })

  it('refuses an unknown CA, once, saying to set tls.caFile, without the token', async () => {
    const t = new ScimTarget({ name: 'tls', url, token: TOKEN, retry: { baseDelayMs: 1 } })
    const e = await rejection(t.findByExternalId('user', 'x'))
    expect(e).toBeInstanceOf(TargetError)
    expect(e).toMatchObject({ type: 'network' })
    expect((e as Error).message).toMatch(/not trusted .*set tls\.caFile/)
    expect((e as Error).message).not.toContain(TOKEN)
    expect(t.counts.reads).toBe(1)
    await t.close()
  })

  it('accepts any certificate with rejectUnauthorized: false', async () => {
    const t = new ScimTarget({ name: 'tls', url, token: TOKEN, tls: { rejectUnauthorized: false } })
    expect((await t.findByExternalId('user', 'x'))?.id).toBe('u1')
    await t.close()
  })

  it('is a configuration error when the CA file cannot be read', () => {
    expect(
      () => new ScimTarget({ name: 'tls', url, token: TOKEN, tls: { caFile: '/nonexistent/ca.pem' } }),
    ).toThrow(IdsyncError)
  })
})

describe('SCIM request timeout', () => {
  let silent: Server
  let url: string
  let requests = 0
  beforeAll(async () => {
    silent = createHttp(() => {
      requests++
    })
    url = `http://${await listen(silent)}/scim/v2`
  })
  afterAll(() => {
    silent.closeAllConnections()
    return new Promise<void>((r) => silent.close(() => r()))
  })

  it('gives up on a request after timeoutMs, retries it, then fails as network', async () => {
    const t = new ScimTarget({
      name: 'slow',
      url,
      token: TOKEN,
      timeoutMs: 150,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    })
    const e = await rejection(t.findByName('user', 'a'))
    expect(e).toMatchObject({
      type: 'network',
      message: 'scim target "slow": find user by userName failed: no answer within 0.15 s',
    })
    expect(requests).toBe(2)
    await t.close()
  })
})
