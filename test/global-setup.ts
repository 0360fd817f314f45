// Starts the real components the integration suites need, once per test run, on
// 127.0.0.1, and stops them by PID at the end: a Samba AD DC (one per machine: its
// ports are fixed). Set IDSYNC_TEST_DC_DIR to reuse a DC that is already running (it is
// then left running). IDSYNC_SAMBA=off skips it; the suites that need it then skip with
// that reason, except under CI, where a missing DC fails the run.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import type { TestProject } from 'vitest/node'
import type { SambaEnv } from './support/samba-env.js'

const script = resolve(import.meta.dirname, 'tools/samba-dc.sh')

function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_]+)='(.*)'$/.exec(line)
    if (m) env[m[1] as string] = (m[2] as string).replace(/'\\''/g, "'")
  }
  return env
}

function isRunning(dir: string): boolean {
  try {
    execFileSync('bash', [script, 'status', dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export default function setup(project: TestProject): () => void {
  const dir = process.env.IDSYNC_TEST_DC_DIR ?? '/tmp/idsync-test-dc'
  let stopAtEnd = false
  let samba: SambaEnv | null = null
  let whyNot = ''
  if (process.env.IDSYNC_SAMBA === 'off') {
    whyNot = 'IDSYNC_SAMBA=off'
  } else {
    try {
      const reuse = isRunning(dir)
      const out = execFileSync('bash', [script, reuse ? 'env' : 'start', dir], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        timeout: 600_000,
      })
      stopAtEnd = !reuse
      const e = parseExports(out)
      samba = {
        url: e.LDAP_URL as string,
        ldapsUrl: e.LDAPS_URL as string,
        bindDN: e.LDAP_BIND_DN as string,
        bindUpn: e.LDAP_BIND_UPN as string,
        password: e.LDAP_PASSWORD as string,
        baseDN: e.BASE_DN as string,
        caFile: e.LDAP_CA_FILE as string,
        servername: e.LDAP_TLS_SERVERNAME as string,
        dir: e.SAMBA_DC_DIR as string,
        script,
      }
    } catch (e) {
      whyNot = `the Samba DC could not be started: ${(e as Error).message.split('\n')[0]}`
      if (process.env.CI) throw new Error(whyNot)
    }
  }
  project.provide('samba', samba)
  project.provide('sambaWhyNot', whyNot)
  return () => {
    if (stopAtEnd) execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' })
  }
}
