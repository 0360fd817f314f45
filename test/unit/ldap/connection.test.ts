import { createServer, type Server } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectLdap, describeLdapError } from '../../../src/connectors/ldap/connection.js'

// a server that answers a TLS ClientHello in plain text, as an LDAP (not LDAPS) port does
let server: Server
let port = 0
beforeAll(async () => {
  server = createServer((s) => {
    s.on('data', () => s.end('0\x84\x00\x00\x00\x10\x02\x01\x00'))
    s.on('error', () => {})
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  port = (server.address() as { port: number }).port
})
afterAll(() => new Promise<void>((r) => server.close(() => r())))

const config = (url: string) => ({
  url,
  startTLS: false,
  tls: { rejectUnauthorized: true },
  bindDN: 'CN=svc,DC=corp,DC=local',
  password: 'secret',
  timeoutSeconds: 5,
  allowInsecure: false,
})

describe('LDAP connection errors', () => {
  it('names a TLS handshake to a plain LDAP port without the OpenSSL error string', async () => {
    const url = `ldaps://127.0.0.1:${port}`
    const err = await connectLdap(config(url)).then(
      () => null,
      (e: unknown) => e as Error,
    )
    expect(err?.message).toBe(
      `${url}: TLS handshake failed (wrong version number): is this an LDAPS port? Plain LDAP is usually 389 with startTLS: true`,
    )
    expect((err as { code?: string }).code).toBe('ERR_LDAP_TLS')
  })

  it('keeps only the reason of an OpenSSL error string it has no words for', () => {
    const e = new Error(
      'C0E644D0937F0000:error:0A000410:SSL routines:ssl3_read_bytes:ssl/tls alert handshake failure:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1605:SSL alert number 40\n',
    )
    const d = describeLdapError(e, 'ldaps://dc1:636')
    expect(d.message).not.toMatch(/C0E644|0A000410|SSL routines|rec_layer/)
    expect(d.message).toMatch(/^ldaps:\/\/dc1:636: TLS handshake failed \(ssl\/tls alert handshake failure\)/)
  })
})
