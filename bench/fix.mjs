// npm run bench:fix — prints figures, asserts nothing.
// Applies 10,000 changes to a seeded Samba AD DC (test/tools/samba-dc.sh): the UPN
// suffix migration of 10,000 users (corp.example.test → corp.example.com) with
// `idsync fix upn-suffix --apply --yes`, then its undo; prints changes per second.
// Options: --users N (10000)
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Attribute, Change, Client } from 'ldapts'
import { withSambaDc } from './samba-dc.mjs'

async function resetSuffix(env, base, from, to) {
  const client = new Client({ url: env.LDAPS_URL, tlsOptions: { rejectUnauthorized: false } })
  await client.bind(env.LDAP_BIND_DN, env.LDAP_PASSWORD)
  try {
    const { searchEntries } = await client.search(base, {
      scope: 'sub',
      filter: `(userPrincipalName=*@${from})`,
      attributes: ['userPrincipalName'],
      paged: { pageSize: 1000 },
    })
    for (const e of searchEntries) {
      const upn = String(e.userPrincipalName).replace(/@[^@]*$/, `@${to}`)
      await client.modify(
        e.dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'userPrincipalName', values: [upn] }),
        }),
      )
    }
    if (searchEntries.length)
      console.error(`reset ${searchEntries.length} users left on @${from} by an earlier run`)
  } finally {
    await client.unbind()
  }
}

const { values: opts } = parseArgs({ options: { users: { type: 'string', default: '10000' } } })
const root = resolve(import.meta.dirname, '..')
const work = resolve(root, '.bench')
mkdirSync(work, { recursive: true })
const users = Number(opts.users)
await withSambaDc({ dir: '/tmp/idsync-bench-dc', users }, async (env) => {
  const domain = env.SAMBA_REALM.toLowerCase()
  const config = resolve(work, 'fix-bench.yaml')
  writeFileSync(
    config,
    [
      'source:',
      '  type: ldap',
      `  url: ${env.LDAPS_URL}`,
      `  tls: { caFile: ${env.LDAP_CA_FILE}, servername: ${env.LDAP_TLS_SERVERNAME} }`,
      `  bindDN: "${env.LDAP_BIND_DN}"`,
      '  password: ${BENCH_LDAP_PASSWORD}',
      `  baseDN: "${env.BASE_DN}"`,
      `  scope: { include: ["OU=Seed,${env.BASE_DN}"], filter: "(sAMAccountName=su*)" }`,
      `store: { path: ./fix-bench-${Date.now()}.db }`,
      'fix: { maxChanges: 1000000 }',
    ].join('\n'),
  )
  const run = (args) => {
    const t = performance.now()
    const r = spawnSync(process.execPath, [resolve(root, 'dist/cli/main.js'), ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, BENCH_LDAP_PASSWORD: env.LDAP_PASSWORD },
    })
    const seconds = (performance.now() - t) / 1000
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`idsync ${args[0]} failed (${r.status}): ${r.stderr.slice(0, 500)}`)
    const applied = (r.stdout.match(/^applied /gm) ?? []).length
    const other = (r.stdout.match(/^(stale|refused|failed) /gm) ?? []).length
    return { seconds, applied, other, batch: /^batch: (\S+)$/m.exec(r.stdout)?.[1] }
  }
  const to = 'corp.example.com'
  // a run stopped half-way leaves users on the new suffix: put them back first (unmeasured;
  // idsync itself refuses to write a non-routable suffix)
  await resetSuffix(env, `OU=Seed,${env.BASE_DN}`, to, domain)
  const fix = run(['fix', 'upn-suffix', '--config', config, '--from', domain, '--to', to, '--apply', '--yes'])
  const undo = run(['undo', '--config', config, fix.batch, '--apply', '--yes'])
  console.log(
    `\nfix of the ${(fix.applied + fix.other).toLocaleString('en-US')} seeded users in OU=Seed (at least ${users.toLocaleString('en-US')} wanted) on Samba AD over LDAPS (read back, journal, one modify each):`,
  )
  console.log(
    `  fix upn-suffix --apply   ${fix.applied.toLocaleString('en-US')} changes in ${fix.seconds.toFixed(1)} s   ${Math.round(fix.applied / fix.seconds)} changes/s (incl. reading the forest's UPNs; ${fix.other} refused or stale)`,
  )
  console.log(
    `  undo --apply             ${undo.applied.toLocaleString('en-US')} changes in ${undo.seconds.toFixed(1)} s   ${Math.round(undo.applied / undo.seconds)} changes/s`,
  )
})
