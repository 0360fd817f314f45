// npm run bench:scan — prints figures, asserts nothing.
//  1. a generated 100,000-object LDIF (users with 3–6 proxyAddresses, groups with
//     members, contacts, ~3% problem values): scan time, objects/s, peak RSS, and the
//     ratio to a bare line-by-line read of the same file;
//  2. a seeded Samba AD DC (test/tools/samba-dc.sh): scan over LDAPS, and the ratio to a
//     raw paged `ldapsearch` of the same attributes over LDAPS.
// Options: --objects N (100000)  --samba-users N (20000, 0 skips Samba)  --runs N (3)
import { execFileSync, spawnSync } from 'node:child_process'
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { SCAN_ATTRIBUTES } from '../dist/app/scan-attributes.js'
import { timeLdapsearch, withSambaDc } from './samba-dc.mjs'

const { values: opts } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    'samba-users': { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
  },
})
const root = resolve(import.meta.dirname, '..')
const work = resolve(root, '.bench')
mkdirSync(work, { recursive: true })
const runs = Number(opts.runs)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

function child(args) {
  const r = spawnSync(process.execPath, [resolve(root, 'bench/scan-child.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  })
  if (r.status !== 0) throw new Error(`scan failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}

async function bareRead(path) {
  const started = performance.now()
  let lines = 0
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })
  for await (const _ of rl) lines++
  return { seconds: (performance.now() - started) / 1000, lines }
}

// ---------------------------------------------------------------- 1. LDIF
const objects = Number(opts.objects)
const ldif = resolve(work, `directory-${objects}.ldif`)
if (!existsSync(ldif)) {
  execFileSync(
    process.execPath,
    [
      resolve(root, 'scripts/generate-directory.mjs'),
      '--objects',
      String(objects),
      '--problems',
      '0.03',
      '--out',
      ldif,
    ],
    { stdio: 'inherit' },
  )
}
const bare = []
const scans = []
for (let i = 0; i < runs; i++) {
  bare.push((await bareRead(ldif)).seconds)
  scans.push(child(['ldif', ldif]))
}
const scanS = median(scans.map((s) => s.seconds))
const bareS = median(bare)
const s0 = scans[0]
console.log(
  `\nLDIF scan of ${ldif} (${s0.objects.toLocaleString('en-US')} objects in scope, ${s0.findings.toLocaleString('en-US')} findings), median of ${runs}:`,
)
console.log(`  bare line-by-line read   ${fmt(bareS)} s`)
console.log(
  `  idsync scan              ${fmt(scanS)} s   ${Math.round(s0.objects / scanS).toLocaleString('en-US')} objects/s`,
)
console.log(`  ratio scan / bare read   ${fmt(scanS / bareS)}×`)
console.log(`  peak RSS                 ${fmt(Math.max(...scans.map((s) => s.maxRssMB)), 0)} MB`)

// ---------------------------------------------------------------- 2. Samba
const sambaUsers = Number(opts['samba-users'])
if (sambaUsers > 0) {
  // a routable realm, as in a real forest: with the default .test realm every address
  // of every user would be a finding (non-routable TLD), which no real directory looks like
  await withSambaDc(
    {
      dir: '/tmp/idsync-bench-dc',
      realm: 'CORP.CONTOSO.COM',
      users: sambaUsers,
      seedEnv: { SAMBA_SEED_DIRTY_EVERY: '33' },
    },
    async (env) => {
      const base = `OU=Seed,${env.BASE_DN}`
      const attrs = [...SCAN_ATTRIBUTES]
      const cfgPath = resolve(work, 'samba-source.json')
      writeFileSync(
        cfgPath,
        JSON.stringify({
          type: 'ldap',
          url: env.LDAPS_URL,
          startTLS: false,
          tls: { caFile: env.LDAP_CA_FILE, servername: env.LDAP_TLS_SERVERNAME, rejectUnauthorized: true },
          bindDN: env.LDAP_BIND_DN,
          password: env.LDAP_PASSWORD,
          baseDN: env.BASE_DN,
          scope: { include: [base], exclude: [], filter: '(objectClass=*)' },
          pageSize: 1000,
          timeoutSeconds: 300,
          allowInsecure: false,
        }),
      )
      const raw = []
      const ours = []
      for (let i = 0; i < runs; i++) {
        raw.push(timeLdapsearch(env, base, '(objectClass=*)', attrs))
        ours.push(child(['ldap', cfgPath]))
      }
      const rawS = median(raw)
      const oursS = median(ours.map((s) => s.seconds))
      console.log(
        `\nSamba AD scan over LDAPS of ${base} (${ours[0].objects.toLocaleString('en-US')} objects in scope), median of ${runs}:`,
      )
      console.log(`  raw ldapsearch (paged)   ${fmt(rawS)} s`)
      console.log(
        `  idsync scan              ${fmt(oursS)} s   ${Math.round(ours[0].objects / oursS).toLocaleString('en-US')} objects/s`,
      )
      console.log(`  ratio scan / ldapsearch  ${fmt(oursS / rawS)}×`)
      console.log(`  peak RSS                 ${fmt(Math.max(...ours.map((s) => s.maxRssMB)), 0)} MB`)
    },
  )
}
