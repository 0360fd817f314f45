// The pieces an end-to-end sync test needs: a config file for a Samba source and SCIM
// targets, the CLI run with the secrets in its environment, and what the SCIM test
// server holds, read back as plain objects.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type CliResult, runCli } from './cli.js'
import type { SambaEnv } from './samba-env.js'
import type { ScimServer } from './scim-server/index.js'

export interface SyncSetup {
  dir: string
  env: SambaEnv
  include: string[]
  exclude?: string[]
  servers: { name: string; server: ScimServer; extra?: string }[]
  guard?: string
  /** a different LDAPS URL (a relay) */
  url?: string
  /** another base DN than the domain's */
  baseDN?: string
  filter?: string
  store?: string
}

export function writeSyncConfig(s: SyncSetup, file = 'idsync.yaml'): string {
  const lines = [
    'source:',
    '  type: ldap',
    `  url: ${s.url ?? s.env.ldapsUrl}`,
    `  tls: { caFile: ${s.env.caFile}, servername: ${s.env.servername} }`,
    `  bindDN: "${s.env.bindDN}"`,
    '  password: ${TEST_LDAP_PASSWORD}',
    `  baseDN: "${s.baseDN ?? s.env.baseDN}"`,
    '  pageSize: 200',
    '  scope:',
    `    include: [${s.include.map((d) => `"${d}"`).join(', ')}]`,
    `    exclude: [${(s.exclude ?? []).map((d) => `"${d}"`).join(', ')}]`,
    ...(s.filter ? [`    filter: "${s.filter}"`] : []),
    `store: { path: ${s.store ?? './idsync.db'} }`,
    `guard: ${s.guard ?? '{ maxDeletes: 50, maxDeletePercent: 50, maxDisables: 50 }'}`,
    'targets:',
  ]
  for (const t of s.servers) {
    lines.push(
      `  - name: ${t.name}`,
      '    type: scim',
      `    url: ${t.server.url}`,
      `    token: \${SCIM_TOKEN_${t.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}}`,
      '    rate: { requestsPerSecond: 500, concurrency: 8 }',
      ...(t.extra ? t.extra.split('\n').map((l) => `    ${l}`) : []),
    )
  }
  const path = join(s.dir, file)
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

export function secrets(s: SyncSetup): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { TEST_LDAP_PASSWORD: s.env.password }
  for (const t of s.servers)
    env[`SCIM_TOKEN_${t.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`] = t.server.token
  return env
}

export const idsync = (s: SyncSetup, args: string[]): Promise<CliResult> =>
  runCli(args, { env: secrets(s), cwd: s.dir })

/** The users of a SCIM server by externalId: the fields the default mapping writes. */
export function scimUsers(server: ScimServer): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const u of server.store.users()) {
    const ent = (u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] ?? {}) as Record<
      string,
      unknown
    >
    const name = (u.name ?? {}) as Record<string, unknown>
    out.set(String(u.externalId), {
      id: u.id,
      userName: u.userName,
      active: u.active,
      givenName: name.givenName,
      familyName: name.familyName,
      displayName: u.displayName,
      title: u.title,
      department: ent.department,
      employeeNumber: ent.employeeNumber,
      manager: (ent.manager as { value?: string } | undefined)?.value ?? null,
      email: (u.emails as { value: string }[] | undefined)?.[0]?.value ?? null,
    })
  }
  return out
}

/** The groups of a SCIM server by displayName, members as sorted ids. */
export function scimGroups(
  server: ScimServer,
): Map<string, { id: string; externalId: string | undefined; members: string[] }> {
  const out = new Map<string, { id: string; externalId: string | undefined; members: string[] }>()
  for (const g of server.store.groups())
    out.set(g.displayName, {
      id: g.id,
      externalId: g.externalId,
      members: server.store.memberIds(g.id).sort(),
    })
  return out
}
