// Helpers for suites that run against the test run's Samba AD DC: an admin connection,
// a throwaway OU per suite (deleted afterwards), and objects created over LDAP as an
// administrator would.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { checkServerIdentity } from 'node:tls'
import { Attribute, Change, Client } from 'ldapts'
import { inject } from 'vitest'
import type { LdapSourceConfig } from '../../src/config/schema.js'
import type { SambaEnv } from './samba-env.js'

export function samba(): SambaEnv | null {
  return inject('samba')
}

export const sambaSkipReason = (): string => inject('sambaWhyNot') || 'no Samba DC'

export async function adminClient(env: SambaEnv): Promise<Client> {
  const client = new Client({
    url: env.ldapsUrl,
    tlsOptions: {
      ca: readFileSync(env.caFile),
      servername: env.servername,
      checkServerIdentity: (_h, cert) => checkServerIdentity(env.servername, cert),
    },
    timeout: 30_000,
  })
  await client.bind(env.bindDN, env.password)
  return client
}

/** The source config an administrator would write for this DC (LDAPS, CA verified). */
export function ldapSourceConfig(env: SambaEnv, over: Partial<LdapSourceConfig> = {}): LdapSourceConfig {
  return {
    type: 'ldap',
    url: env.ldapsUrl,
    startTLS: false,
    tls: { caFile: env.caFile, servername: env.servername, rejectUnauthorized: true },
    bindDN: env.bindDN,
    password: env.password,
    baseDN: env.baseDN,
    scope: { include: [], exclude: [], filter: '(objectClass=*)' },
    pageSize: 500,
    timeoutSeconds: 60,
    allowInsecure: false,
    ...over,
  }
}

export type Attrs = Record<string, string | string[] | Buffer | Buffer[]>

/** A throwaway OU for one suite: created fresh, removed with everything under it. */
export class TestOu {
  readonly dn: string
  constructor(
    readonly client: Client,
    readonly env: SambaEnv,
    name: string,
  ) {
    this.dn = `OU=${name}-${randomBytes(3).toString('hex')},${env.baseDN}`
  }

  async create(): Promise<this> {
    await this.client.add(this.dn, { objectClass: ['top', 'organizationalUnit'] })
    return this
  }

  async addOu(name: string): Promise<string> {
    const dn = `OU=${name},${this.dn}`
    await this.client.add(dn, { objectClass: ['top', 'organizationalUnit'] })
    return dn
  }

  async addUser(cn: string, attrs: Attrs, parent = this.dn): Promise<string> {
    const dn = `CN=${cn},${parent}`
    await this.client.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], ...attrs })
    return dn
  }

  async addGroup(cn: string, attrs: Attrs, parent = this.dn): Promise<string> {
    const dn = `CN=${cn},${parent}`
    await this.client.add(dn, { objectClass: ['top', 'group'], sAMAccountName: cn, ...attrs })
    return dn
  }

  async addContact(cn: string, attrs: Attrs, parent = this.dn): Promise<string> {
    const dn = `CN=${cn},${parent}`
    await this.client.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'contact'], ...attrs })
    return dn
  }

  async replace(dn: string, attribute: string, values: string[]): Promise<void> {
    await this.client.modify(
      dn,
      new Change({ operation: 'replace', modification: new Attribute({ type: attribute, values }) }),
    )
  }

  /** Delete the OU and everything below it (tree delete control). */
  async remove(): Promise<void> {
    // 1.2.840.113556.1.4.805 = LDAP_SERVER_TREE_DELETE_OID
    const { Control } = await import('ldapts')
    await this.client.del(this.dn, new Control('1.2.840.113556.1.4.805', { critical: true })).catch(() => {})
  }
}

/** Raw ldapsearch of the DC, the way an administrator would dump it (LDIF on stdout). */
export function ldapsearch(
  env: SambaEnv,
  base: string,
  attributes: string[],
  filter = '(objectClass=*)',
): string {
  return execFileSync(
    'ldapsearch',
    [
      '-LLL',
      '-o',
      'ldif-wrap=no',
      '-E',
      'pr=1000/noprompt',
      '-x',
      '-H',
      env.ldapsUrl,
      '-D',
      env.bindDN,
      '-w',
      env.password,
      '-b',
      base,
      filter,
      ...attributes,
    ],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, LDAPTLS_CACERT: env.caFile, LDAPTLS_REQCERT: 'never' },
    },
  )
}
