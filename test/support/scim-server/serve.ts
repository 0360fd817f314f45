// The test SCIM server as a standalone process, for trying idsync against it by hand:
//   npx tsx test/support/scim-server/serve.ts [--port 8880] [--host 127.0.0.1] [--token X] [--seed N]
//     [--rate429 0.1] [--retry-after 2] [--rate503 0.05] [--drop-after-write 0.05] [--delay 50]
//     [--seed-users N] [--log-requests]
// Prints the base URL and token; Ctrl-C (or SIGTERM) stops it.
import { parseArgs } from 'node:util'
import { startScimServer } from './index.js'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8880' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    seed: { type: 'string', default: '1' },
    rate429: { type: 'string' },
    'retry-after': { type: 'string' },
    rate503: { type: 'string' },
    'drop-after-write': { type: 'string' },
    delay: { type: 'string' },
    'seed-users': { type: 'string' },
    'log-requests': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

if (values.help) {
  console.log(
    [
      'usage: npx tsx test/support/scim-server/serve.ts [--port 8880] [--host 127.0.0.1] [--token X]',
      '         [--seed N] [--rate429 P] [--retry-after S] [--rate503 P] [--drop-after-write P] [--delay MS]',
      '         [--seed-users N] [--log-requests]',
    ].join('\n'),
  )
  process.exit(0)
}

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))

const server = await startScimServer({
  port: Number(values.port),
  host: values.host,
  seed: Number(values.seed),
  logErrors: true,
  ...(values.token !== undefined ? { token: values.token } : {}),
})

const rate429 = num(values.rate429)
const retryAfter = num(values['retry-after'])
const rate503 = num(values.rate503)
const drop = num(values['drop-after-write'])
const delay = num(values.delay)
server.faults.configure({
  ...(rate429 !== undefined ? { rate429 } : {}),
  ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
  ...(rate503 !== undefined ? { rate503 } : {}),
  ...(drop !== undefined ? { dropAfterWriteRate: drop } : {}),
  ...(delay !== undefined ? { delayMs: delay } : {}),
})

const seedUsers = num(values['seed-users']) ?? 0
for (let i = 1; i <= seedUsers; i++) {
  server.store.seedUser({
    userName: `user${i}@example.test`,
    externalId: `ext-${i}`,
    displayName: `User ${i}`,
  })
}

console.log(`SCIM server listening at ${server.url}`)
console.log(`token: ${server.token}`)
console.log(`try: curl -H 'Authorization: Bearer ${server.token}' ${server.url}/Users`)

if (values['log-requests']) {
  let seen = 0
  setInterval(() => {
    for (const r of server.requests.all().slice(seen)) {
      if (r.respondedAt === undefined) break
      seen++
      console.log(
        `${r.seq} ${r.method} ${r.url} -> ${r.dropped ? 'DROPPED' : r.status}${r.fault ? ` [${r.fault}]` : ''}`,
      )
    }
  }, 200).unref()
}

const shutdown = () => {
  server.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
