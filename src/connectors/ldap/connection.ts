// Opening an authenticated LDAP connection with TLS, and turning every way that can fail
// into one clear IdsyncError. Simple binds go over LDAPS or StartTLS only: hardened AD
// and Samba refuse them in clear, and a password must not cross the wire unencrypted.
import { readFileSync } from 'node:fs'
import { type ConnectionOptions, checkServerIdentity } from 'node:tls'
import {
  Client,
  ConfidentialityRequiredError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
} from 'ldapts'
import type { LdapSourceConfig } from '../../config/schema.js'
import { IdsyncError } from '../../core/errors.js'

export type LdapConnectionConfig = Pick<
  LdapSourceConfig,
  'url' | 'startTLS' | 'tls' | 'bindDN' | 'password' | 'timeoutSeconds' | 'allowInsecure'
>

function tlsOptions(cfg: LdapConnectionConfig): ConnectionOptions {
  const opts: ConnectionOptions = { rejectUnauthorized: cfg.tls.rejectUnauthorized, minVersion: 'TLSv1.2' }
  if (cfg.tls.caFile) {
    try {
      opts.ca = readFileSync(cfg.tls.caFile)
    } catch (e) {
      throw new IdsyncError('ERR_CONFIG', `source.tls.caFile: ${cfg.tls.caFile} cannot be read`, { cause: e })
    }
  }
  if (cfg.tls.servername) {
    opts.servername = cfg.tls.servername
    // verify the certificate against this name even when the URL holds an IP address
    const name = cfg.tls.servername
    opts.checkServerIdentity = (_host, cert) => checkServerIdentity(name, cert)
  }
  return opts
}

/**
 * The reason in an OpenSSL error, without the rest: "C0E644D0937F0000:error:0A00010B:SSL
 * routines:ssl3_get_record:wrong version number:…/ssl3_record.c:350:" → "wrong version
 * number". Node also gives it as `reason`.
 */
function sslReason(err: { code?: unknown; reason?: unknown; message?: unknown } | null): string | null {
  if (!err) return null
  if (typeof err.reason === 'string' && typeof err.code === 'string' && err.code.startsWith('ERR_SSL_'))
    return err.reason
  const m = /[0-9A-F]+:error:[0-9A-F]+:[^:\n]*:[^:\n]*:([^:\n]+)/i.exec(String(err.message ?? ''))
  return m ? (m[1] as string).trim() : null
}

/** Replace OpenSSL error strings in a message by their reasons. */
function readable(msg: string): string {
  return msg
    .replace(/[0-9A-F]+:error:[0-9A-F]+:[^:\n]*:[^:\n]*:([^:\n]+)(?::[^\s:]*:\d+:)?/gi, '$1')
    .replace(/[\r\n]+/g, ' ')
    .trim()
}

function tlsFailure(url: string, reason: string, e: unknown): IdsyncError {
  const r = reason.toLowerCase()
  const hint =
    /wrong version number|packet length too long|http request|record layer failure/.test(r) &&
    url.toLowerCase().startsWith('ldaps://')
      ? ': is this an LDAPS port? Plain LDAP is usually 389 with startTLS: true'
      : /unsupported protocol|protocol version/.test(r)
        ? ': the server offers no TLS version idsync accepts (1.2 or later)'
        : /handshake failure|no shared cipher|no cipher/.test(r)
          ? ': the server and idsync have no TLS version or cipher in common'
          : /unknown ca|bad certificate|certificate required/.test(r)
            ? ': the server refused the connection at the certificate check (does it require a client certificate?)'
            : ''
  return new IdsyncError('ERR_LDAP_TLS', `${url}: TLS handshake failed (${reason})${hint}`, { cause: e })
}

/** Describe a connection failure without the password and without attribute values. */
export function describeLdapError(e: unknown, url: string, bindDN?: string): IdsyncError {
  if (e instanceof IdsyncError) return e
  const err = e as NodeJS.ErrnoException & { code?: string | number; reason?: unknown }
  const code = typeof err?.code === 'string' ? err.code : undefined
  if (e instanceof InvalidCredentialsError) {
    return new IdsyncError(
      'ERR_LDAP_AUTH',
      `${url}: bind as ${bindDN} refused: wrong DN or password (LDAP result 49)`,
      { cause: e },
    )
  }
  if (e instanceof StrongAuthRequiredError || e instanceof ConfidentialityRequiredError) {
    return new IdsyncError(
      'ERR_LDAP_TLS',
      `${url}: the server requires an encrypted connection: use ldaps:// or startTLS: true`,
      { cause: e },
    )
  }
  if (e instanceof InsufficientAccessError) {
    return new IdsyncError(
      'ERR_LDAP_AUTH',
      `${url}: ${bindDN} lacks the permission for this operation (LDAP result 50)`,
      { cause: e },
    )
  }
  if (e instanceof NoSuchObjectError) {
    return new IdsyncError('ERR_LDAP_READ', `${url}: no such object (LDAP result 32)`, { cause: e })
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new IdsyncError(
        'ERR_LDAP_CONNECT',
        `${url}: connection refused (is the directory server running and listening on that port?)`,
        { cause: e },
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new IdsyncError('ERR_LDAP_CONNECT', `${url}: host name not found`, { cause: e })
    case 'ETIMEDOUT':
    case 'ECONNRESET':
    case 'EPIPE':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new IdsyncError('ERR_LDAP_CONNECT', `${url}: connection failed (${code})`, { cause: e })
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return new IdsyncError(
        'ERR_LDAP_TLS',
        `${url}: the server's TLS certificate is not trusted (${code}): set source.tls.caFile to the CA that signed it`,
        { cause: e },
      )
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new IdsyncError(
        'ERR_LDAP_TLS',
        `${url}: the server's TLS certificate does not name this host: connect by the name in the certificate or set source.tls.servername`,
        { cause: e },
      )
    case 'CERT_HAS_EXPIRED':
      return new IdsyncError('ERR_LDAP_TLS', `${url}: the server's TLS certificate has expired`, { cause: e })
  }
  const reason = sslReason(err)
  if (reason !== null) return tlsFailure(url, reason, e)
  const msg = readable(String(err?.message ?? e))
  if (/timeout|timed out/i.test(msg)) {
    return new IdsyncError('ERR_LDAP_CONNECT', `${url}: no answer from the server in time`, { cause: e })
  }
  if (/socket|connection|closed/i.test(msg)) {
    return new IdsyncError('ERR_LDAP_CONNECT', `${url}: the connection was lost`, { cause: e })
  }
  return new IdsyncError('ERR_LDAP_READ', `${url}: ${msg.slice(0, 200)}`, { cause: e })
}

/** Open, secure and bind. The caller unbinds. */
export async function connectLdap(cfg: LdapConnectionConfig): Promise<Client> {
  const secure = cfg.url.toLowerCase().startsWith('ldaps://')
  if (!secure && !cfg.startTLS && !cfg.allowInsecure) {
    throw new IdsyncError(
      'ERR_LDAP_TLS',
      `${cfg.url}: a simple bind on ldap:// without StartTLS would send the password in clear; use ldaps:// or set startTLS: true`,
    )
  }
  const client = new Client({
    url: cfg.url,
    timeout: cfg.timeoutSeconds * 1000,
    connectTimeout: Math.min(cfg.timeoutSeconds, 15) * 1000,
    // on ldap:// the TLS options go to startTLS only: given here, ldapts opens TLS at once
    ...(secure ? { tlsOptions: tlsOptions(cfg) } : {}),
    strictDN: false,
  })
  try {
    if (!secure && cfg.startTLS) await client.startTLS(tlsOptions(cfg))
    await client.bind(cfg.bindDN, cfg.password)
  } catch (e) {
    await client.unbind().catch(() => {})
    throw describeLdapError(e, cfg.url, cfg.bindDN)
  }
  return client
}
