// One measured scan, in its own process so that its peak RSS is its own: prints JSON.
//   node bench/scan-child.mjs ldif FILE
//   node bench/scan-child.mjs ldap CONFIG.json
import { readFileSync } from 'node:fs'
import { runScan } from '../dist/app/scan.js'

const [kind, arg] = process.argv.slice(2)
const source =
  kind === 'ldif'
    ? { type: 'ldif', path: arg, scope: { include: [], exclude: [], filter: '(objectClass=*)' } }
    : JSON.parse(readFileSync(arg, 'utf8'))
const started = performance.now()
const r = await runScan(source, { set: 'entra', suffixMap: new Map([['contoso.local', 'contoso.com']]) })
const seconds = (performance.now() - started) / 1000
process.stdout.write(
  `${JSON.stringify({ seconds, objects: r.summary.objects, findings: r.summary.findings, maxRssMB: process.resourceUsage().maxRSS / 1024 })}\n`,
)
