// The Samba AD DC of a benchmark: reuse the one running in `dir` (IDSYNC_TEST_DC_DIR),
// else start one there (provisioned with `realm` the first time) and stop it by PID at
// the end; seed it with `users` users. Returns the connection facts samba-dc.sh prints.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

const script = resolve(import.meta.dirname, '../test/tools/samba-dc.sh')

/**
 * @template T
 * @param {{ dir: string, realm?: string, domain?: string, users: number, seedEnv?: Record<string, string> }} o
 * @param {(env: Record<string, string>) => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withSambaDc(o, fn) {
  const dir = process.env.IDSYNC_TEST_DC_DIR ?? o.dir
  let running = true
  try {
    execFileSync('bash', [script, 'status', dir], { stdio: 'ignore' })
  } catch {
    running = false
  }
  const text = execFileSync('bash', [script, running ? 'env' : 'start', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...(o.realm ? { SAMBA_REALM: o.realm, SAMBA_DOMAIN: o.domain ?? o.realm.split('.')[0] } : {}),
    },
  })
  try {
    /** @type {Record<string, string>} */
    const env = Object.fromEntries([...text.matchAll(/^export ([A-Z_]+)='(.*)'$/gm)].map((m) => [m[1], m[2]]))
    execFileSync('bash', [script, 'seed', dir, String(o.users)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...o.seedEnv },
    })
    return await fn(env)
  } finally {
    if (!running) execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' })
  }
}

/**
 * Seconds a raw paged `ldapsearch` over LDAPS takes to dump `attributes` of the objects
 * matching `filter` under `base` (output discarded): what an administrator's own dump costs.
 * @param {Record<string, string>} env
 * @param {string} base
 * @param {string} filter
 * @param {readonly string[]} attributes
 * @returns {number}
 */
export function timeLdapsearch(env, base, filter, attributes) {
  const t = performance.now()
  execFileSync(
    'ldapsearch',
    [
      '-LLL',
      '-x',
      '-E',
      'pr=1000/noprompt',
      '-H',
      env.LDAPS_URL,
      '-D',
      env.LDAP_BIND_DN,
      '-w',
      env.LDAP_PASSWORD,
      '-b',
      base,
      filter,
      ...attributes,
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, LDAPTLS_CACERT: env.LDAP_CA_FILE, LDAPTLS_REQCERT: 'never' },
      maxBuffer: 1 << 30,
    },
  )
  return (performance.now() - t) / 1000
}
