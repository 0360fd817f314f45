// npm run bench:sync — prints figures, asserts nothing.
// 10,000 users and 1,000 groups (the largest with 5,000 members), from an LDIF file and
// from a seeded Samba AD DC, into the SCIM test server (scimmy): wall time of a full
// sync, of a re-sync with no change (and its writes: must be 0), of a delta of 100
// changes; writes per operation; and, in the same run, the raw times to read the same
// entries with ldapsearch and to POST the same number of resources to the same server at
// the same concurrency.
// Options: --users N (10000)  --groups N (1000)  --samba 0|1 (1)
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Attribute, Change, Client } from 'ldapts'
import { SYNC_ATTRIBUTES } from '../src/app/snapshot.js'
import { runCli } from '../test/support/cli.js'
import { type ScimServer, startScimServer } from '../test/support/scim-server/index.js'
import { timeLdapsearch, withSambaDc } from './samba-dc.mjs'

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    groups: { type: 'string', default: '1000' },
    samba: { type: 'string', default: '1' },
  },
})
const USERS = Number(opts.users)
const GROUPS = Number(opts.groups)
const CONCURRENCY = 8
const root = resolve(import.meta.dirname, '..')
const work = resolve(root, '.bench/sync')
// every run starts from empty stores: the SCIM servers are new
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const fmt = (s: number) => `${s.toFixed(1)} s`

/** The CLI in a child process, timed; asynchronously: the SCIM server runs in this process. */
async function cli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ seconds: number; code: number | null; stdout: string; stderr: string }> {
  const t = performance.now()
  const r = await runCli(args, { cwd: work, env })
  return { seconds: (performance.now() - t) / 1000, ...r }
}

function ldif(path: string): void {
  const base = 'DC=bench,DC=example,DC=com'
  const out: string[] = [`dn: OU=Bench,${base}\nobjectClass: organizationalUnit\n`]
  const guid = (i: number, kind: number) => {
    const b = Buffer.alloc(16)
    b.writeUInt32BE(kind, 0)
    b.writeUInt32BE(i, 12)
    return b.toString('base64')
  }
  const userDn = (i: number) => `CN=user${i},OU=Bench,${base}`
  for (let i = 0; i < USERS; i++) {
    out.push(
      [
        `dn: ${userDn(i)}`,
        'objectClass: top',
        'objectClass: person',
        'objectClass: organizationalPerson',
        'objectClass: user',
        `sAMAccountName: user${i}`,
        `userPrincipalName: user${i}@bench.example.com`,
        `givenName: Given${i}`,
        `sn: Sur${i}`,
        `displayName: Given${i} Sur${i}`,
        `mail: user${i}@bench.example.com`,
        `title: Engineer`,
        `department: Dept${i % 20}`,
        `employeeID: ${100000 + i}`,
        'userAccountControl: 512',
        `objectGUID:: ${guid(i, 1)}`,
        '',
      ].join('\n'),
    )
  }
  for (let g = 0; g < GROUPS; g++) {
    const size = g === 0 ? Math.min(5000, USERS) : 10
    const members = Array.from({ length: size }, (_, k) => `member: ${userDn((g * 10 + k) % USERS)}`)
    out.push(
      [
        `dn: CN=group${g},OU=Bench,${base}`,
        'objectClass: top',
        'objectClass: group',
        `sAMAccountName: group${g}`,
        `displayName: Group ${g}`,
        ...members,
        `objectGUID:: ${guid(g, 2)}`,
        '',
      ].join('\n'),
    )
  }
  writeFileSync(path, `${out.join('\n')}\n`)
}

function config(path: string, source: string[], server: ScimServer): void {
  writeFileSync(
    path,
    [
      'source:',
      ...source.map((l) => `  ${l}`),
      `store: { path: ./${path.split('/').pop()?.replace('.yaml', '')}.db }`,
      'guard: { maxDeletes: 100000, maxDeletePercent: 100, maxDisables: 100000 }',
      'targets:',
      '  - name: bench',
      '    type: scim',
      `    url: ${server.url}`,
      '    token: ${BENCH_SCIM_TOKEN}',
      `    rate: { requestsPerSecond: 100000, concurrency: ${CONCURRENCY} }`,
    ].join('\n'),
  )
}

/** The same number of resources POSTed at the same concurrency, nothing else. */
async function rawPost(server: ScimServer, n: number): Promise<number> {
  let next = 0
  const t = performance.now()
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const r = await fetch(`${server.url}/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `raw${i}@x.example.com`,
          externalId: `raw${i}`,
          displayName: `Raw ${i}`,
          name: { givenName: 'Raw', familyName: String(i) },
          emails: [{ value: `raw${i}@x.example.com`, type: 'work', primary: true }],
          active: true,
        }),
      })
      if (!r.ok) throw new Error(`raw POST: ${r.status}`)
      await r.arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return (performance.now() - t) / 1000
}

function writesOf(server: ScimServer): Record<string, number> {
  const w: Record<string, number> = {}
  for (const r of server.requests.writes())
    w[`${r.method} ${r.path.split('/')[1]}`] = (w[`${r.method} ${r.path.split('/')[1]}`] ?? 0) + 1
  return w
}

async function run(
  label: string,
  cfgPath: string,
  server: ScimServer,
  change: () => Promise<void>,
  rawRead: number,
): Promise<void> {
  const env = { BENCH_SCIM_TOKEN: server.token, BENCH_LDAP_PASSWORD: process.env.BENCH_LDAP_PASSWORD ?? '' }
  server.requests.clear()
  const full = await cli(['sync', '--config', cfgPath], env)
  if (full.code !== 0) throw new Error(`full sync failed (${full.code}): ${full.stderr.slice(-500)}`)
  const fullWrites = writesOf(server)
  const ops = server.store.users().length + server.store.groups().length
  server.requests.clear()
  const again = await cli(['sync', '--config', cfgPath], env)
  const againWrites = server.requests.writes().length
  await change()
  server.requests.clear()
  const delta = await cli(['sync', '--config', cfgPath], env)
  const deltaWrites = server.requests.writes().length
  // the raw POST baseline on a fresh server
  const fresh = await startScimServer()
  const post = await rawPost(fresh, USERS + GROUPS)
  await fresh.stop()
  const slower = Math.max(post, rawRead)
  console.log(
    `\n${label}: ${USERS.toLocaleString('en-US')} users, ${GROUPS.toLocaleString('en-US')} groups (largest ${Math.min(5000, USERS).toLocaleString('en-US')} members)`,
  )
  console.log(
    `  full sync                 ${fmt(full.seconds)}   writes ${JSON.stringify(fullWrites)} for ${ops.toLocaleString('en-US')} objects`,
  )
  console.log(`  re-sync, no change        ${fmt(again.seconds)}   writes ${againWrites}`)
  console.log(`  delta of 100 changes      ${fmt(delta.seconds)}   writes ${deltaWrites}`)
  console.log(`  raw read of the source    ${fmt(rawRead)}`)
  console.log(
    `  raw POST of ${(USERS + GROUPS).toLocaleString('en-US')} resources ${fmt(post)} (concurrency ${CONCURRENCY})`,
  )
  console.log(`  full sync / slower raw    ${(full.seconds / slower).toFixed(2)}×`)
}

// ---------------------------------------------------------------- LDIF
{
  const file = resolve(work, 'bench.ldif')
  ldif(file)
  const server = await startScimServer()
  const cfg = resolve(work, 'ldif.yaml')
  config(cfg, ['type: ldif', `path: ${file}`], server)
  const t = performance.now()
  execFileSync('wc', ['-l', file], { stdio: 'ignore' })
  const rawRead = (performance.now() - t) / 1000
  await run(
    'LDIF → SCIM',
    cfg,
    server,
    async () => {
      // 100 changed titles in the file: an LDIF source has no delta, the read is full
      const text = (await import('node:fs')).readFileSync(file, 'utf8')
      let n = 0
      writeFileSync(
        file,
        text.replace(/title: Engineer/g, (m) => (n++ < 100 ? 'title: Manager' : m)),
      )
    },
    rawRead,
  )
  await server.stop()
}

// ---------------------------------------------------------------- Samba
if (opts.samba !== '0') {
  // 2 OUs → two groups of 5,000; teams of 10 → 1,000 groups
  await withSambaDc(
    {
      dir: '/tmp/idsync-bench-sync-dc',
      realm: 'CORP.CONTOSO.COM',
      users: USERS,
      seedEnv: { SAMBA_SEED_OUS: '2', SAMBA_SEED_TEAM_SIZE: String(Math.max(1, Math.round(USERS / GROUPS))) },
    },
    async (e) => {
      const base = `OU=Seed,${e.BASE_DN}`
      // what idsync reads for a sync: the same attributes for the raw dump
      const rawRead = timeLdapsearch(e, base, '(|(objectClass=user)(objectClass=group))', SYNC_ATTRIBUTES)
      const server = await startScimServer()
      const cfg = resolve(work, 'samba.yaml')
      process.env.BENCH_LDAP_PASSWORD = e.LDAP_PASSWORD
      config(
        cfg,
        [
          'type: ldap',
          `url: ${e.LDAPS_URL}`,
          `tls: { caFile: ${e.LDAP_CA_FILE}, servername: ${e.LDAP_TLS_SERVERNAME} }`,
          `bindDN: "${e.LDAP_BIND_DN}"`,
          'password: ${BENCH_LDAP_PASSWORD}',
          `baseDN: "${e.BASE_DN}"`,
          `scope: { include: ["${base}"], filter: "(|(objectClass=user)(objectClass=group))" }`,
        ],
        server,
      )
      await run(
        'Samba AD → SCIM',
        cfg,
        server,
        async () => {
          const c = new Client({ url: e.LDAPS_URL as string, tlsOptions: { rejectUnauthorized: false } })
          await c.bind(e.LDAP_BIND_DN as string, e.LDAP_PASSWORD as string)
          const { searchEntries } = await c.search(base, {
            scope: 'sub',
            filter: '(&(objectClass=user)(sAMAccountName=su*))',
            attributes: ['title'],
            sizeLimit: 100,
          })
          for (const u of searchEntries.slice(0, 100)) {
            await c.modify(
              u.dn,
              new Change({
                operation: 'replace',
                modification: new Attribute({ type: 'title', values: [`Bench ${Date.now()}`] }),
              }),
            )
          }
          await c.unbind()
        },
        rawRead,
      )
      await server.stop()
    },
  )
}
