// The scan against a real Samba AD DC over LDAPS: objects with problem values created
// over LDAP, scanned, exact findings asserted; and every way the connection can fail.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Client } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runScan } from '../../src/app/scan.js'
import type { Finding } from '../../src/rules/types.js'
import { runCli } from '../support/cli.js'
import { adminClient, ldapSourceConfig, samba, sambaSkipReason, TestOu } from '../support/samba.js'
import type { SambaEnv } from '../support/samba-env.js'

const env = samba()
const D = 'corp.example.com'

describe.skipIf(!env)(`scan of a Samba AD DC over LDAPS (${env ? 'live' : sambaSkipReason()})`, () => {
  const e = env as SambaEnv
  let client: Client
  let ou: TestOu
  const dn: Record<string, string> = {}

  beforeAll(async () => {
    client = await adminClient(e)
    ou = await new TestOu(client, e, 'ScanTest').create()
    dn.apostrophe = await ou.addUser('Ann OBrien', {
      sAMAccountName: 'aobrien',
      userPrincipalName: `o'brien@${D}`,
      mail: `o'brien@${D}`,
      proxyAddresses: [`SMTP:o'brien@${D}`],
    })
    dn.space = await ou.addUser('Bad User', {
      sAMAccountName: 'baduser',
      userPrincipalName: `bad user@${D}`,
      mail: `bad.user@${D}`,
      proxyAddresses: [`SMTP:bad.user@${D}`],
    })
    dn.local = await ou.addUser('Local Suffix', {
      sAMAccountName: 'lsuffix',
      userPrincipalName: 'lsuffix@corp.local',
    })
    dn.owner = await ou.addUser('Dup Owner', {
      sAMAccountName: 'dupowner',
      userPrincipalName: `dup@${D}`,
      mail: `dup@${D}`,
      proxyAddresses: [`SMTP:dup@${D}`],
    })
    dn.secondary = await ou.addUser('Dup Secondary', {
      sAMAccountName: 'dupsec',
      userPrincipalName: `dupsec@${D}`,
      proxyAddresses: [`SMTP:dupsec@${D}`, `smtp:dup@${D}`],
    })
    dn.twoPrimaries = await ou.addUser('Two Primaries', {
      sAMAccountName: 'twoprim',
      userPrincipalName: `twoprim@${D}`,
      proxyAddresses: [`SMTP:twoprim@${D}`, `SMTP:second@${D}`],
    })
    dn.guestRelations = await ou.addUser('Guest Relations', {
      sAMAccountName: 'guestrel',
      userPrincipalName: `guestrel@${D}`,
      displayName: ' Guest Relations',
    })
    await ou.addUser('MSOL_0123456789ab', {
      sAMAccountName: 'MSOL_0123456789ab',
      userPrincipalName: `MSOL_0123456789ab@${D}`,
    })
    dn.group = await ou.addGroup('NoDisplayName', {})
    dn.contact = await ou.addContact('Partner', { mail: 'partner@example.invalid' })
  }, 120_000)

  afterAll(async () => {
    await ou?.remove()
    await client?.unbind()
  })

  const scan = () =>
    runScan(ldapSourceConfig(e, { scope: { include: [ou.dn], exclude: [], filter: '(objectClass=*)' } }), {
      set: 'entra',
      suffixMap: new Map([['corp.local', D]]),
    })
  const pick = (findings: Finding[], who: string) =>
    findings
      .filter((f) => f.dn === who)
      .map(({ attribute, value, codes, severity, suggestion, action, conflictsWith }) => ({
        attribute,
        value,
        codes,
        severity,
        suggestion,
        action,
        conflictsWith,
      }))

  it('reads every in-scope object and skips the service account without hiding it', async () => {
    const r = await scan()
    expect(r.summary.objects).toBe(10)
    expect(r.summary.skipped).toBe(1)
    expect(r.findings.every((f) => f.anchor !== null && Buffer.from(f.anchor, 'base64').length === 16)).toBe(
      true,
    )
  })

  it('finds exactly the problems planted over LDAP, with their fixes', async () => {
    const { findings } = await scan()
    expect(pick(findings, dn.apostrophe as string)).toEqual([])
    expect(pick(findings, dn.space as string)).toEqual([
      {
        attribute: 'userPrincipalName',
        value: `bad user@${D}`,
        codes: ['character', 'mismatch'],
        severity: 'error',
        suggestion: `bad.user@${D}`,
        action: 'edit',
        conflictsWith: [],
      },
    ])
    expect(pick(findings, dn.local as string)).toEqual([
      {
        attribute: 'userPrincipalName',
        value: 'lsuffix@corp.local',
        codes: ['topleveldomain'],
        severity: 'error',
        suggestion: `lsuffix@${D}`,
        action: 'edit',
        conflictsWith: [],
      },
    ])
    const owner = pick(findings, dn.owner as string)
    expect(owner.map((f) => [f.attribute, f.codes, f.action, f.conflictsWith])).toEqual([
      ['userPrincipalName', ['duplicate'], 'none', [dn.secondary]],
      ['mail', ['duplicate'], 'none', [dn.secondary]],
      ['proxyAddresses', ['duplicate'], 'none', [dn.secondary]],
    ])
    expect(pick(findings, dn.secondary as string)).toEqual([
      {
        attribute: 'proxyAddresses',
        value: `smtp:dup@${D}`,
        codes: ['duplicate'],
        severity: 'error',
        suggestion: null,
        action: 'remove',
        conflictsWith: [dn.owner],
      },
    ])
    expect(
      pick(findings, dn.twoPrimaries as string).map((f) => [f.value, f.codes, f.suggestion, f.action]),
    ).toEqual([
      [`SMTP:twoprim@${D}`, ['format'], null, 'none'],
      [`SMTP:second@${D}`, ['format'], null, 'none'],
    ])
    expect(pick(findings, dn.guestRelations as string)).toEqual([
      {
        attribute: 'displayName',
        value: ' Guest Relations',
        codes: ['character'],
        severity: 'error',
        suggestion: 'Guest Relations',
        action: 'edit',
        conflictsWith: [],
      },
    ])
    expect(pick(findings, dn.group as string)).toEqual([
      {
        attribute: 'displayName',
        value: null,
        codes: ['blank'],
        severity: 'error',
        suggestion: 'NoDisplayName',
        action: 'edit',
        conflictsWith: [],
      },
    ])
    expect(pick(findings, dn.contact as string).map((f) => [f.attribute, f.codes])).toEqual([
      ['mail', ['topleveldomain']],
    ])
  })

  describe('the CLI over LDAPS', () => {
    let dir: string
    const config = (source: string) => {
      const p = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`)
      writeFileSync(p, `source:\n${source}\nrules: { set: entra, suffixMap: { corp.local: ${D} } }\n`)
      return p
    }
    const base = () =>
      [
        `  baseDN: "${e.baseDN}"`,
        `  bindDN: "${e.bindDN}"`,
        '  password: ${TEST_LDAP_PASSWORD}',
        `  scope: { include: ["${ou.dn}"] }`,
      ].join('\n')
    const pwEnv = () => ({ TEST_LDAP_PASSWORD: e.password })

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'idsync-scan-'))
    })

    it('scans with the CA verified and exits 1 when there are error findings', async () => {
      const c = config(
        `  type: ldap\n  url: ${e.ldapsUrl}\n  tls: { caFile: ${e.caFile}, servername: ${e.servername} }\n${base()}`,
      )
      const r = await runCli(['scan', '--config', c, '--format', 'json'], { env: pwEnv() })
      expect(r.stderr).toBe('')
      expect(r.code).toBe(1)
      expect(JSON.parse(r.stdout).summary.objects).toBe(10)
    })

    it('reads the whole forest through the Global Catalog (3269, baseDN "") with the same findings as through the DC', async () => {
      const gc = e.ldapsUrl.replace(/:636$/, ':3269')
      const tls = `  tls: { caFile: ${e.caFile}, servername: ${e.servername} }`
      const dc = await runCli(
        [
          'scan',
          '--config',
          config(`  type: ldap\n  url: ${e.ldapsUrl}\n${tls}\n${base()}`),
          '--format',
          'json',
        ],
        { env: pwEnv() },
      )
      const forest = base().replace(`baseDN: "${e.baseDN}"`, 'baseDN: ""')
      const viaGc = await runCli(
        ['scan', '--config', config(`  type: ldap\n  url: ${gc}\n${tls}\n${forest}`), '--format', 'json'],
        { env: pwEnv() },
      )
      expect(viaGc.stderr).toBe('')
      expect(viaGc.code).toBe(1)
      expect(JSON.parse(viaGc.stdout)).toEqual(JSON.parse(dc.stdout))
      // the Global Catalog is read-only: fix refuses it before anything
      const fix = await runCli(
        [
          'fix',
          'upn-suffix',
          '--config',
          config(`  type: ldap\n  url: ${gc}\n${tls}\n${forest}`),
          '--from',
          'corp.local',
          '--to',
          D,
        ],
        { env: pwEnv() },
      )
      expect(fix.code).toBe(2)
      expect(fix.stderr).toMatch(/is the Global Catalog, which is read-only/)
    })

    it('works over StartTLS on port 389', async () => {
      const c = config(
        `  type: ldap\n  url: ${e.url}\n  startTLS: true\n  tls: { caFile: ${e.caFile}, servername: ${e.servername} }\n${base()}`,
      )
      const r = await runCli(['scan', '--config', c, '--format', 'csv'], { env: pwEnv() })
      expect(r.code).toBe(1)
      expect(r.stdout.split('\r\n')[0]).toBe(
        'DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,ACTION',
      )
    })

    it('refuses a wrong password in one line, exit 2, without the password', async () => {
      const c = config(
        `  type: ldap\n  url: ${e.ldapsUrl}\n  tls: { caFile: ${e.caFile}, servername: ${e.servername} }\n${base()}`,
      )
      const r = await runCli(['scan', '--config', c], { env: { TEST_LDAP_PASSWORD: 'not-the-password-123' } })
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/refused: wrong DN or password/)
      expect(r.stderr).not.toContain('not-the-password-123')
      expect(r.stdout).toBe('')
    })

    it('names an unreachable server in one line, exit 2', async () => {
      const c = config(`  type: ldap\n  url: ldaps://127.0.0.1:1\n${base()}`)
      const r = await runCli(['scan', '--config', c], { env: pwEnv() })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^idsync: ldaps:\/\/127\.0\.0\.1:1: connection refused/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    })

    it('refuses a certificate it cannot verify, and says how to fix it', async () => {
      const c = config(`  type: ldap\n  url: ${e.ldapsUrl}\n${base()}`)
      const r = await runCli(['scan', '--config', c], { env: pwEnv() })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/certificate is not trusted .*caFile/)
    })

    it('refuses to send the password over plain ldap:// without StartTLS', async () => {
      const c = config(`  type: ldap\n  url: ${e.url}\n${base()}`)
      const r = await runCli(['scan', '--config', c], { env: pwEnv() })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/in clear; use ldaps:\/\/ or set startTLS: true/)
    })

    it('reports a missing include OU as such, exit 2', async () => {
      const c = config(
        `  type: ldap\n  url: ${e.ldapsUrl}\n  tls: { caFile: ${e.caFile}, servername: ${e.servername} }\n  baseDN: "${e.baseDN}"\n  bindDN: "${e.bindDN}"\n  password: \${TEST_LDAP_PASSWORD}\n  scope: { include: ["OU=Nowhere,${e.baseDN}"] }`,
      )
      const r = await runCli(['scan', '--config', c], { env: pwEnv() })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`the search base OU=Nowhere,${e.baseDN} does not exist`)
    })
  })
})
