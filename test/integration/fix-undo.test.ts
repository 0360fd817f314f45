// scan → fix → undo against a real Samba AD DC: problem values planted over LDAP, fixed
// from the scan's own files, checked by re-scanning and by reading every attribute
// back; stale values, atomic proxyAddresses edits, undo of removals and of undos, the
// UPN suffix migration, and a process killed in the middle of a batch.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Client } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LdapWriter } from '../../src/connectors/ldap/writer.js'
import { CLI, runCli } from '../support/cli.js'
import { adminClient, ldapSourceConfig, samba, sambaSkipReason, TestOu } from '../support/samba.js'
import type { SambaEnv } from '../support/samba-env.js'

const env = samba()
const D = 'corp.example.com'
const WATCHED = [
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'displayName',
  'mailNickname',
  'givenName',
  'sn',
  'sAMAccountName',
]

describe.skipIf(!env)(`fix and undo against Samba AD (${env ? 'live' : sambaSkipReason()})`, () => {
  const e = env as SambaEnv
  let client: Client
  let ou: TestOu
  let dir: string

  /** Every watched attribute of every object under `base`, values as base64, sorted. */
  async function snapshot(base: string): Promise<Record<string, Record<string, string[]>>> {
    const { searchEntries } = await client.search(base, {
      scope: 'sub',
      filter: '(|(objectClass=user)(objectClass=group)(objectClass=contact))',
      attributes: WATCHED,
      explicitBufferAttributes: WATCHED,
    })
    const out: Record<string, Record<string, string[]>> = {}
    for (const entry of searchEntries) {
      const rec: Record<string, string[]> = {}
      for (const [k, v] of Object.entries(entry)) {
        if (k === 'dn') continue
        const list = (Array.isArray(v) ? v : [v]) as Buffer[]
        if (list.length) rec[k] = list.map((b) => Buffer.from(b).toString('base64')).sort()
      }
      out[entry.dn.toLowerCase()] = rec
    }
    return out
  }

  async function values(dn: string, attribute: string): Promise<string[]> {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: [attribute] })
    const v = searchEntries[0]?.[attribute] ?? []
    return (Array.isArray(v) ? v : [v]).map(String).sort()
  }

  let seq = 0
  function configFor(base: string, extra = ''): string {
    const p = join(dir, `idsync-${++seq}.yaml`)
    writeFileSync(
      p,
      [
        'source:',
        '  type: ldap',
        `  url: ${e.ldapsUrl}`,
        `  tls: { caFile: ${e.caFile}, servername: ${e.servername} }`,
        `  bindDN: "${e.bindDN}"`,
        '  password: ${TEST_LDAP_PASSWORD}',
        `  baseDN: "${e.baseDN}"`,
        `  scope: { include: ["${base}"] }`,
        `rules: { set: entra, suffixMap: { corp.local: ${D} } }`,
        `store: { path: ./store-${seq}.db }`,
        extra,
      ].join('\n'),
    )
    return p
  }
  const cli = (args: string[]) => runCli(args, { env: { TEST_LDAP_PASSWORD: e.password } })
  const batchOf = (stdout: string) => /^batch: (\S+)$/m.exec(stdout)?.[1] as string

  beforeAll(async () => {
    client = await adminClient(e)
    ou = await new TestOu(client, e, 'FixTest').create()
    dir = mkdtempSync(join(tmpdir(), 'idsync-fix-'))
  }, 60_000)

  afterAll(async () => {
    await ou?.remove()
    await client?.unbind()
  })

  it('fixes what the scan proposes, the re-scan is clean, and undo restores every attribute byte for byte', async () => {
    const base = await ou.addOu('Workflow')
    await ou.addUser(
      'Ann Space',
      {
        sAMAccountName: 'aspace',
        userPrincipalName: `ann space@${D}`,
        mail: `ann.space@${D}`,
        proxyAddresses: [`SMTP:ann.space@${D}`, `smtp:ann space2@${D}`],
      },
      base,
    )
    await ou.addUser(
      'Bo Local',
      { sAMAccountName: 'blocal', userPrincipalName: 'blocal@corp.local', displayName: 'Bo Local ' },
      base,
    )
    await ou.addUser(
      'Cy Nick',
      {
        sAMAccountName: 'cynick',
        userPrincipalName: `cy.nick@${D}`,
        mail: `cy.nick@${D}`,
        mailNickname: '.cynick',
        proxyAddresses: [`SMTP:cy.nick@${D}`, `smtp:shared@${D}`],
      },
      base,
    )
    await ou.addUser(
      'Di Owner',
      {
        sAMAccountName: 'diowner',
        userPrincipalName: `shared@${D}`,
        mail: `shared@${D}`,
        proxyAddresses: [`SMTP:shared@${D}`],
      },
      base,
    )
    await ou.addUser(
      'Éva Accent',
      { sAMAccountName: 'evaacc', userPrincipalName: `éva@${D}`, givenName: 'Éva' },
      base,
    )
    const config = configFor(base)
    const before = await snapshot(base)

    const scan = await cli([
      'scan',
      '--config',
      config,
      '--format',
      'csv',
      '--out',
      join(dir, 'findings.csv'),
    ])
    expect(scan.code).toBe(1)
    const csv = readFileSync(join(dir, 'findings.csv'), 'utf8')
    expect(csv.split('\r\n')[0]).toBe(
      'DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,ACTION',
    )

    // without a decision nothing is applied, with --apply or not
    const none = await cli(['fix', '--config', config, '--from', join(dir, 'findings.csv'), '--apply'])
    expect(none.stdout).toContain('Nothing to change.')
    expect(await snapshot(base)).toEqual(before)

    // the dry run shows the changes as LDIF and writes nothing
    const dry = await cli([
      'fix',
      '--config',
      config,
      '--from',
      join(dir, 'findings.csv'),
      '--accept-suggested',
    ])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('changetype: modify')
    expect(dry.stdout).toContain('Nothing was written; add --apply to write.')
    expect(await snapshot(base)).toEqual(before)

    const fix = await cli([
      'fix',
      '--config',
      config,
      '--from',
      join(dir, 'findings.csv'),
      '--accept-suggested',
      '--apply',
    ])
    expect(fix.stderr).toBe('')
    expect(fix.code).toBe(0)
    const batch = batchOf(fix.stdout)
    expect(batch).toMatch(/^\d{8}-\d{6}-[0-9a-f]{4}$/)
    expect(await values(`CN=Ann Space,${base}`, 'proxyAddresses')).toEqual([
      `SMTP:ann.space@${D}`,
      `smtp:annspace2@${D}`,
    ])
    expect(await values(`CN=Bo Local,${base}`, 'userPrincipalName')).toEqual([`blocal@${D}`])
    expect(await values(`CN=Cy Nick,${base}`, 'proxyAddresses')).toEqual([`SMTP:cy.nick@${D}`])

    // what could be fixed automatically is gone; what needs a person is still there
    const rescan = await cli(['scan', '--config', config, '--format', 'json'])
    const left = JSON.parse(rescan.stdout).findings as { dn: string; attribute: string; action: string }[]
    expect(left.filter((f) => f.action !== 'none')).toEqual([])

    const journal = JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout)
    expect(journal[0]).toMatchObject({ id: batch, kind: 'fix', status: 'applied', stale: 0, failed: 0 })
    // the contract's keys, and the two counts beyond it
    expect(Object.keys(journal[0]).sort()).toEqual([
      'applied',
      'changes',
      'failed',
      'id',
      'kind',
      'operator',
      'pending',
      'skipped',
      'stale',
      'status',
      'time',
    ])

    const undo = await cli(['undo', '--config', config, batch, '--apply'])
    expect(undo.code).toBe(0)
    expect(await snapshot(base)).toEqual(before)

    // the undo is a batch too: undoing it puts the fixes back
    const redo = await cli(['undo', '--config', config, batchOf(undo.stdout), '--apply'])
    expect(redo.code).toBe(0)
    expect(await values(`CN=Bo Local,${base}`, 'userPrincipalName')).toEqual([`blocal@${D}`])
    expect(await values(`CN=Cy Nick,${base}`, 'proxyAddresses')).toEqual([`SMTP:cy.nick@${D}`])
    const kinds = JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout).map(
      (b: { kind: string }) => b.kind,
    )
    expect(kinds).toEqual(['undo', 'undo', 'fix'])
  })

  it('skips a value that changed between the scan and the fix as stale, and says so', async () => {
    const base = await ou.addOu('Stale')
    await ou.addUser('Ed Stale', { sAMAccountName: 'edstale', userPrincipalName: 'edstale@corp.local' }, base)
    await ou.addUser(
      'Flo Fresh',
      { sAMAccountName: 'flofresh', userPrincipalName: 'flofresh@corp.local' },
      base,
    )
    const config = configFor(base)
    await cli(['scan', '--config', config, '--format', 'json', '--out', join(dir, 'stale.json')])
    // someone else edits one of them meanwhile
    await ou.replace(`CN=Ed Stale,${base}`, 'userPrincipalName', ['edstale@other.corp.local'])
    const fix = await cli(['fix', '--config', config, '--from', join(dir, 'stale.json'), '--apply'])
    expect(fix.code).toBe(1)
    expect(fix.stdout).toMatch(/^stale\s+CN=Ed Stale.*the value changed since the scan/m)
    expect(await values(`CN=Ed Stale,${base}`, 'userPrincipalName')).toEqual(['edstale@other.corp.local'])
    expect(await values(`CN=Flo Fresh,${base}`, 'userPrincipalName')).toEqual([`flofresh@${D}`])
    const [b] = JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout)
    expect(b).toMatchObject({ status: 'partial', applied: 1, stale: 1 })
  })

  it('edits a proxyAddresses value in one modify request: if the add fails, the old value stays', async () => {
    const base = await ou.addOu('Atomic')
    const dn = await ou.addUser(
      'Gil Atomic',
      { sAMAccountName: 'gilatomic', proxyAddresses: [`SMTP:gil@${D}`, `smtp:gil old@${D}`] },
      base,
    )
    const writer = new LdapWriter(ldapSourceConfig(e))
    try {
      // the add half names a value that is already there, so the server refuses the request
      await expect(
        writer.modify(
          dn,
          'proxyAddresses',
          [Buffer.from(`smtp:gil old@${D}`)],
          [Buffer.from(`SMTP:gil@${D}`)],
        ),
      ).rejects.toThrow()
      expect(await values(dn, 'proxyAddresses')).toEqual([`SMTP:gil@${D}`, `smtp:gil old@${D}`])
      await writer.modify(
        dn,
        'proxyAddresses',
        [Buffer.from(`smtp:gil old@${D}`)],
        [Buffer.from(`smtp:gilold@${D}`)],
      )
      expect(await values(dn, 'proxyAddresses')).toEqual([`SMTP:gil@${D}`, `smtp:gilold@${D}`])
    } finally {
      await writer.close()
    }
  })

  it('undoes the removal of a duplicate proxy address', async () => {
    const base = await ou.addOu('Removal')
    await ou.addUser(
      'Hal Owner',
      {
        sAMAccountName: 'halowner',
        userPrincipalName: `hal@${D}`,
        mail: `hal@${D}`,
        proxyAddresses: [`SMTP:hal@${D}`],
      },
      base,
    )
    const dup = await ou.addUser(
      'Ida Dup',
      {
        sAMAccountName: 'idadup',
        userPrincipalName: `ida@${D}`,
        mail: `ida@${D}`,
        proxyAddresses: [`SMTP:ida@${D}`, `smtp:hal@${D}`],
      },
      base,
    )
    const config = configFor(base)
    const scan = JSON.parse((await cli(['scan', '--config', config, '--format', 'json'])).stdout)
    const removal = scan.findings.filter((f: { action: string }) => f.action === 'remove')
    expect(removal).toHaveLength(1)
    writeFileSync(join(dir, 'removal.json'), JSON.stringify(scan))
    const fix = await cli(['fix', '--config', config, '--from', join(dir, 'removal.json'), '--apply'])
    expect(fix.code).toBe(0)
    expect(await values(dup, 'proxyAddresses')).toEqual([`SMTP:ida@${D}`])
    const undo = await cli(['undo', '--config', config, batchOf(fix.stdout), '--apply'])
    expect(undo.code).toBe(0)
    expect(await values(dup, 'proxyAddresses')).toEqual([`SMTP:ida@${D}`, `smtp:hal@${D}`])
  })

  it('refuses a person-entered value that breaks the rules, with the reason', async () => {
    const base = await ou.addOu('Invalid')
    await ou.addUser('Jo Invalid', { sAMAccountName: 'joinvalid', userPrincipalName: 'jo@corp.local' }, base)
    const config = configFor(base)
    await cli(['scan', '--config', config, '--format', 'csv', '--out', join(dir, 'invalid.csv')])
    const edited = readFileSync(join(dir, 'invalid.csv'), 'utf8').replace(
      `jo@${D},`,
      'jo smith@corp.local,EDIT',
    )
    writeFileSync(join(dir, 'invalid.csv'), edited)
    const fix = await cli(['fix', '--config', config, '--from', join(dir, 'invalid.csv'), '--apply'])
    expect(fix.code).toBe(1)
    expect(fix.stdout).toMatch(
      /^refused\s+CN=Jo Invalid.*fails the entra rules \(character, topleveldomain\)/m,
    )
    expect(await values(`CN=Jo Invalid,${base}`, 'userPrincipalName')).toEqual(['jo@corp.local'])
  })

  it('refuses a malformed findings file whole, naming the line, and writes nothing', async () => {
    const base = await ou.addOu('Malformed')
    const config = configFor(base)
    const p = join(dir, 'bad.csv')
    writeFileSync(
      p,
      'DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,ACTION\r\n"CN=X,DC=y",X,user,mail,character,a b@x.com,ab@x.com,EDIT\r\n"CN=Z,DC=y",Z,user,mail,character,c d@x.com,cd@x.com,EDTI\r\n',
    )
    const r = await cli(['fix', '--config', config, '--from', p, '--apply'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`idsync: ${p}:3: ACTION "EDTI": expected EDIT, REMOVE or empty\n`)
    const j = JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout)
    expect(j).toEqual([])
  })

  it('migrates a non-routable UPN suffix and reports a collision instead of writing it', async () => {
    const base = await ou.addOu('Suffix')
    await ou.addUser('Kim One', { sAMAccountName: 'kimone', userPrincipalName: 'kim.one@corp.local' }, base)
    await ou.addUser('Lee Two', { sAMAccountName: 'leetwo', userPrincipalName: 'lee.two@corp.local' }, base)
    // lee.two@corp.example.com is already taken elsewhere in the forest
    await ou.addUser('Lee Taken', { sAMAccountName: 'leetaken', userPrincipalName: `lee.two@${D}` })
    const config = configFor(base)
    const r = await cli([
      'fix',
      'upn-suffix',
      '--config',
      config,
      '--from',
      'corp.local',
      '--to',
      D,
      '--apply',
    ])
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^applied\s+CN=Kim One/m)
    expect(r.stdout).toMatch(
      new RegExp(`^refused\\s+CN=Lee Two.*collision: lee\\.two@${D} is already the UPN of CN=Lee Taken`, 'm'),
    )
    expect(await values(`CN=Kim One,${base}`, 'userPrincipalName')).toEqual([`kim.one@${D}`])
    expect(await values(`CN=Lee Two,${base}`, 'userPrincipalName')).toEqual(['lee.two@corp.local'])
  })

  it('stops before the batch when the bind is refused: one line, exit 2, one bind, nothing journaled', async () => {
    const base = await ou.addOu('BadBind')
    await ou.addUser('Ned Bind', { sAMAccountName: 'nedbind', userPrincipalName: 'ned@corp.local' }, base)
    await ou.addUser('Oli Bind', { sAMAccountName: 'olibind', userPrincipalName: 'oli@corp.local' }, base)
    const config = configFor(base)
    const file = join(dir, 'badbind.json')
    await cli(['scan', '--config', config, '--format', 'json', '--out', file])
    const r = await runCli(['fix', '--config', config, '--from', file, '--apply'], {
      env: { TEST_LDAP_PASSWORD: 'not-the-password' },
    })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/invalid credentials|password/i)
    expect(r.stderr).not.toContain('not-the-password')
    expect(JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout)).toEqual([])
    expect(await values(`CN=Ned Bind,${base}`, 'userPrincipalName')).toEqual(['ned@corp.local'])
  })

  it('--accept-suggested reports a row whose value changed since the scan, and keeps an explicit "none"', async () => {
    const base = await ou.addOu('Accept')
    await ou.addUser('Pia Moved', { sAMAccountName: 'piamoved', userPrincipalName: 'pia@corp.local' }, base)
    await ou.addUser('Rae Fix', { sAMAccountName: 'raefix', userPrincipalName: 'rae@corp.local' }, base)
    const config = configFor(base)
    const csv = join(dir, 'accept.csv')
    await cli(['scan', '--config', config, '--format', 'csv', '--out', csv])
    await ou.replace(`CN=Pia Moved,${base}`, 'userPrincipalName', ['pia@elsewhere.corp.local'])
    const fix = await cli(['fix', '--config', config, '--from', csv, '--accept-suggested', '--apply'])
    expect(fix.code).toBe(1)
    expect(fix.stdout).toMatch(/^refused\s+CN=Pia Moved.*a fresh scan no longer finds this/m)
    expect(fix.stdout).toMatch(/^applied\s+CN=Rae Fix/m)
    expect(await values(`CN=Pia Moved,${base}`, 'userPrincipalName')).toEqual(['pia@elsewhere.corp.local'])
    expect(await values(`CN=Rae Fix,${base}`, 'userPrincipalName')).toEqual([`rae@${D}`])

    // JSON: the person set Quin's finding to "none"; --accept-suggested does not override it
    await ou.addUser('Quin Kept', { sAMAccountName: 'quinkept', userPrincipalName: 'quin@corp.local' }, base)
    const json = join(dir, 'accept.json')
    await cli(['scan', '--config', config, '--format', 'json', '--out', json])
    const scan = JSON.parse(readFileSync(json, 'utf8'))
    for (const f of scan.findings) if (f.dn.startsWith('CN=Quin Kept')) f.action = 'none'
    writeFileSync(json, JSON.stringify(scan, null, 2))
    const again = await cli(['fix', '--config', config, '--from', json, '--accept-suggested', '--apply'])
    expect(again.stdout).not.toMatch(/CN=Quin Kept/)
    expect(await values(`CN=Quin Kept,${base}`, 'userPrincipalName')).toEqual(['quin@corp.local'])
  })

  it('journals the anchor of a CSV-driven change, so undo finds the object after a rename', async () => {
    const base = await ou.addOu('Renamed')
    await ou.addUser('Sam Before', { sAMAccountName: 'sambefore', userPrincipalName: 'sam@corp.local' }, base)
    const config = configFor(base)
    const csv = join(dir, 'renamed.csv')
    await cli(['scan', '--config', config, '--format', 'csv', '--out', csv])
    writeFileSync(csv, readFileSync(csv, 'utf8').replace(`sam@${D},`, `sam@${D},EDIT`))
    const fix = await cli(['fix', '--config', config, '--from', csv, '--apply'])
    expect(fix.code).toBe(0)
    const batch = batchOf(fix.stdout)
    const shown = JSON.parse((await cli(['journal', '--config', config, '--format', 'json', batch])).stdout)
    expect(shown.changeList[0].anchor).toMatch(/^[A-Za-z0-9+/]{22}==$/)
    await client.modifyDN(`CN=Sam Before,${base}`, `CN=Sam After,${base}`)
    const undo = await cli(['undo', '--config', config, batch, '--apply'])
    expect(undo.code).toBe(0)
    expect(await values(`CN=Sam After,${base}`, 'userPrincipalName')).toEqual(['sam@corp.local'])
  })

  it('undo skips a value changed since the batch as stale, and --force restores it anyway', async () => {
    const base = await ou.addOu('UndoStale')
    const dn = await ou.addUser(
      'Tia Undo',
      { sAMAccountName: 'tiaundo', userPrincipalName: 'tia@corp.local' },
      base,
    )
    const config = configFor(base)
    const json = join(dir, 'undostale.json')
    await cli(['scan', '--config', config, '--format', 'json', '--out', json])
    const batch = batchOf((await cli(['fix', '--config', config, '--from', json, '--apply'])).stdout)
    await ou.replace(dn, 'userPrincipalName', [`tia.changed@${D}`])
    const undo = await cli(['undo', '--config', config, batch, '--apply'])
    expect(undo.code).toBe(1)
    expect(undo.stdout).toMatch(/^stale\s+CN=Tia Undo.*use --force/m)
    expect(await values(dn, 'userPrincipalName')).toEqual([`tia.changed@${D}`])
    const forced = await cli(['undo', '--config', config, batch, '--apply', '--force'])
    expect(forced.code).toBe(0)
    expect(await values(dn, 'userPrincipalName')).toEqual(['tia@corp.local'])
  })

  it('refuses a new sAMAccountName that another object of the domain holds', async () => {
    const base = await ou.addOu('Account')
    const dn = await ou.addUser('Uma Acct', { sAMAccountName: 'uma acct' }, base)
    await ou.addUser('Uma Taken', { sAMAccountName: 'umaacct' })
    const config = configFor(base)
    const json = join(dir, 'account.json')
    writeFileSync(
      json,
      JSON.stringify({
        findings: [
          {
            dn,
            objectClass: 'user',
            attribute: 'sAMAccountName',
            value: 'uma acct',
            codes: ['character'],
            action: 'edit',
            suggestion: 'UMAACCT',
          },
        ],
      }),
    )
    const fix = await cli(['fix', '--config', config, '--from', json, '--apply'])
    expect(fix.code).toBe(1)
    expect(fix.stdout).toMatch(/^refused\s+CN=Uma Acct.*sAMAccountName is already held by CN=Uma Taken/m)
    expect(await values(dn, 'sAMAccountName')).toEqual(['uma acct'])
  })

  it('needs --yes for a batch larger than fix.maxChanges', async () => {
    const base = await ou.addOu('Large')
    for (const i of [1, 2, 3])
      await ou.addUser(
        `Big ${i}`,
        { sAMAccountName: `big${i}`, userPrincipalName: `big${i}@corp.local` },
        base,
      )
    const config = configFor(base, 'fix: { maxChanges: 2 }')
    const r = await cli([
      'fix',
      'upn-suffix',
      '--config',
      config,
      '--from',
      'corp.local',
      '--to',
      D,
      '--apply',
    ])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('this batch has 3 changes, more than fix.maxChanges (2)')
    expect(await values(`CN=Big 1,${base}`, 'userPrincipalName')).toEqual(['big1@corp.local'])
    const yes = await cli([
      'fix',
      'upn-suffix',
      '--config',
      config,
      '--from',
      'corp.local',
      '--to',
      D,
      '--apply',
      '--yes',
    ])
    expect(yes.code).toBe(0)
  })

  it('a process killed in the middle of a batch leaves a journal from which a re-run and an undo both work', async () => {
    const base = await ou.addOu('Killed')
    const n = 120
    for (let i = 0; i < n; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, (_, k) =>
          ou.addUser(
            `Kill ${i + k}`,
            { sAMAccountName: `kill${i + k}`, userPrincipalName: `kill${i + k}@corp.local` },
            base,
          ),
        ),
      )
    }
    const config = configFor(base, 'fix: { maxChanges: 1000 }')
    const before = await snapshot(base)
    const child = spawn(
      process.execPath,
      [CLI, 'fix', 'upn-suffix', '--config', config, '--from', 'corp.local', '--to', D, '--apply'],
      {
        env: { ...process.env, TEST_LDAP_PASSWORD: e.password },
        stdio: 'ignore',
      },
    )
    // kill it once some changes are in the journal (as an administrator's Ctrl-\ or an OOM kill would)
    const db = join(dir, `store-${seq}.db`)
    const deadline = Date.now() + 30_000
    for (;;) {
      await new Promise((r) => setTimeout(r, 20))
      try {
        const conn = new Database(db, { readonly: true, fileMustExist: true })
        const row = conn
          .prepare("SELECT count(*) AS n FROM changes WHERE status IN ('applied', 'pending')")
          .get() as { n: number }
        conn.close()
        if (row.n >= 15) break
      } catch {
        // not created yet
      }
      if (Date.now() > deadline) throw new Error('the batch never started')
    }
    child.kill('SIGKILL')
    await new Promise((r) => child.on('close', r))

    const [killed] = JSON.parse((await cli(['journal', '--config', config, '--format', 'json'])).stdout)
    expect(killed.status).toBe('interrupted')
    expect(killed.changes).toBeLessThan(n)

    // undo of the interrupted batch restores exactly what it had changed
    const undo = await cli(['undo', '--config', config, killed.id, '--apply'])
    expect(undo.code).toBe(0)
    expect(await snapshot(base)).toEqual(before)

    // and a re-run does the whole job, each user once
    const rerun = await cli([
      'fix',
      'upn-suffix',
      '--config',
      config,
      '--from',
      'corp.local',
      '--to',
      D,
      '--apply',
    ])
    expect(rerun.code).toBe(0)
    for (let i = 0; i < n; i += 17)
      expect(await values(`CN=Kill ${i},${base}`, 'userPrincipalName')).toEqual([`kill${i}@${D}`])

    // killed again half-way, a re-run picks up only what is left
    const again = await cli(['undo', '--config', config, batchOf(rerun.stdout), '--apply'])
    expect(again.code).toBe(0)
    const child2 = spawn(
      process.execPath,
      [CLI, 'fix', 'upn-suffix', '--config', config, '--from', 'corp.local', '--to', D, '--apply'],
      { env: { ...process.env, TEST_LDAP_PASSWORD: e.password }, stdio: 'ignore' },
    )
    await new Promise((r) => setTimeout(r, 400))
    child2.kill('SIGKILL')
    await new Promise((r) => child2.on('close', r))
    const upnOf = (u: Record<string, string[]>) =>
      Buffer.from(u.userPrincipalName?.[0] ?? '', 'base64').toString()
    const left = Object.values(await snapshot(base)).filter((u) => upnOf(u).endsWith('@corp.local')).length
    const rest = await cli([
      'fix',
      'upn-suffix',
      '--config',
      config,
      '--from',
      'corp.local',
      '--to',
      D,
      '--apply',
    ])
    expect(rest.code).toBe(0)
    expect((rest.stdout.match(/^applied /gm) ?? []).length).toBe(left)
    const users = await snapshot(base)
    expect(Object.values(users).every((u) => upnOf(u).endsWith(`@${D}`))).toBe(true)
  }, 180_000)
})
