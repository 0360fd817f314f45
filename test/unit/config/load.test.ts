import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load.js'

const dir = mkdtempSync(join(tmpdir(), 'idsync-config-'))
let n = 0
const write = (text: string) => {
  const p = join(dir, `c${++n}.yaml`)
  writeFileSync(p, text)
  return p
}

const LDAP = `source:
  type: ldap
  url: ldaps://dc1.corp.example.com:636
  tls: { caFile: certs/ca.pem }
  bindDN: "CN=svc-idsync,OU=Service,DC=corp,DC=example,DC=com"
  password: \${LDAP_PASSWORD}
  baseDN: "DC=corp,DC=example,DC=com"
  scope:
    include: ["OU=Staff,DC=corp,DC=example,DC=com"]
rules: { set: entra, suffixMap: { corp.local: corp.example.com }, defaultSuffix: corp.example.com }
store: { path: ./state/idsync.db }
`

describe('config loading', () => {
  it('loads a valid file, expands ${VAR} and resolves relative paths against the file', () => {
    const p = write(LDAP)
    const { config, warnings } = loadConfig(p, { LDAP_PASSWORD: 's3cret' })
    expect(warnings).toEqual([])
    expect(config.source.type).toBe('ldap')
    if (config.source.type !== 'ldap') return
    expect(config.source.password).toBe('s3cret')
    expect(config.source.tls.caFile).toBe(join(dir, 'certs/ca.pem'))
    expect(config.source.tls.rejectUnauthorized).toBe(true)
    expect(config.store.path).toBe(join(dir, 'state/idsync.db'))
    expect(config.rules.suffixMap).toEqual({ 'corp.local': 'corp.example.com' })
    expect(config.source.scope.filter).toBe('(objectClass=*)')
  })

  it('takes a secret from a file with ${file:PATH}', () => {
    writeFileSync(join(dir, 'pw.txt'), 'from-file\n')
    const p = write(LDAP.replace('${LDAP_PASSWORD}', '${file:pw.txt}'))
    const { config } = loadConfig(p, {})
    expect(config.source.type === 'ldap' && config.source.password).toBe('from-file')
  })

  it('names the file, line and variable when an environment variable is missing', () => {
    const p = write(LDAP)
    expect(() => loadConfig(p, {})).toThrow(`${p}:6: environment variable LDAP_PASSWORD is not set`)
  })

  it('names the line and field of a wrong value', () => {
    const p = write(LDAP.replace('ldaps://dc1.corp.example.com:636', 'https://dc1'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(
      new RegExp(`^${p}:3: source.url: expected a URL such as ldaps://`),
    )
  })

  it('refuses unknown keys (a typo must not fall back to a default)', () => {
    const p = write(LDAP.replace('  baseDN:', '  baseDn: "DC=x"\n  baseDN:'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(`${p}:2: source: unknown key "baseDn"`)
  })

  it('says which key is missing', () => {
    const p = write(LDAP.replace(/ {2}bindDN: .*\n/, ''))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(/:2: source\.bindDN: missing/)
  })

  it('explains an unknown source type', () => {
    const p = write('source:\n  type: ldapz\n')
    expect(() => loadConfig(p, {})).toThrow(/:2: source\.type: .*ldap.*ldif/)
  })

  it('reports YAML syntax errors with their line', () => {
    const p = write('source:\n  type: ldif\n  path: [unclosed\n')
    expect(() => loadConfig(p, {})).toThrow(new RegExp(`^${p}:\\d+: not valid YAML`))
  })

  it('says so when the file is missing or empty', () => {
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: no such file/)
    expect(() => loadConfig(write(''))).toThrow(/the file is empty/)
  })

  it('warns when an unquoted DN was split by YAML at its commas', () => {
    const p = write(
      'source:\n  type: ldif\n  path: x.ldif\n  scope:\n    include: [OU=Staff,DC=corp,DC=example,DC=com]\n',
    )
    const { config, warnings } = loadConfig(p, {})
    expect(config.source.scope.include).toEqual(['OU=Staff', 'DC=corp', 'DC=example', 'DC=com'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `${p}:5: source.scope.include: "OU=Staff", "DC=corp", "DC=example", "DC=com" look like the pieces of one DN`,
    )
    expect(warnings[0]).toContain('include: ["OU=Staff,DC=corp,DC=example,DC=com"]')
  })

  it('does not warn about quoted DNs or block lists', () => {
    const p = write(
      'source:\n  type: ldif\n  path: x.ldif\n  scope:\n    include:\n      - OU=Staff,DC=corp,DC=example,DC=com\n    exclude: ["OU=Old,OU=Staff,DC=corp,DC=example,DC=com"]\n',
    )
    expect(loadConfig(p, {}).warnings).toEqual([])
  })

  it('warns about a scope entry that is not a DN at all', () => {
    const p = write(
      'source:\n  type: ldif\n  path: x.ldif\n  scope:\n    exclude: ["OU=Smith, John", " John"]\n',
    )
    const { warnings } = loadConfig(p, {})
    expect(warnings.some((w) => w.includes('" John" has no "="'))).toBe(true)
  })
})
