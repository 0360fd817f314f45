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

/** Describe a connection failure without the password and without attribute values. */
export function describeLdapError(e: unknown, url: string, bindDN?: string): IdsyncError {
  if (e instanceof IdsyncError) return e
  const err = e as NodeJS.ErrnoException & { code?: string | number }
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
  const msg = String(err?.message ?? e)
  if (/timeout|timed out/i.test(msg)) {
    return new IdsyncError('ERR_LDAP_CONNECT', `${url}: no answer from the server in time`, { cause: e })
  }
  if (/socket|connection|closed/i.test(msg)) {
    return new IdsyncError('ERR_LDAP_CONNECT', `${url}: the connection was lost`, { cause: e })
  }
  return new IdsyncError('ERR_LDAP_READ', `${url}: ${msg.replace(/[\r\n]+/g, ' ').slice(0, 200)}`, {
    cause: e,
  })
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
