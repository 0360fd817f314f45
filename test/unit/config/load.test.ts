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

  it('names the file, line, field and variable when an environment variable is missing', () => {
    const p = write(LDAP)
    expect(() => loadConfig(p, {})).toThrow(
      `${p}:6: source.password: environment variable LDAP_PASSWORD is not set`,
    )
  })

  it('names the line and field of a wrong value', () => {
    const p = write(LDAP.replace('ldaps://dc1.corp.example.com:636', 'https://dc1'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(
      new RegExp(`^${p}:3: source.url: expected a URL such as ldaps://`),
    )
  })

  it('refuses unknown keys (a typo must not fall back to a default)', () => {
    const p = write(LDAP.replace('  baseDN:', '  baseDn: "DC=x"\n  baseDN:'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(
      `${p}:7: source: unknown key "baseDn" (expected one of: type, url, startTLS, tls, bindDN, password, baseDN, scope, pageSize, timeoutSeconds, allowInsecure)`,
    )
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

  it('says a present value has the wrong type, not that it is missing', () => {
    const bad = write(LDAP.replace('  scope:', '  pageSize: abc\n  scope:'))
    expect(() => loadConfig(bad, { LDAP_PASSWORD: 'x' })).toThrow(
      `${bad}:8: source.pageSize: expected number, received string`,
    )
    const empty = write(LDAP.replace('  scope:', '  pageSize:\n  scope:'))
    expect(() => loadConfig(empty, { LDAP_PASSWORD: 'x' })).toThrow(
      `${empty}:8: source.pageSize: empty; expected number`,
    )
  })

  it('reports a misspelt key rather than the key it was meant to be', () => {
    const p = write(LDAP.replace('  bindDN:', '  bindDn:'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(`${p}:5: source: unknown key "bindDn"`)
  })

  it('reports an unknown key at its own line, and lists the keys expected there', () => {
    const root = write(
      'source:\n  type: ldif\n  path: x.ldif\nrules:\n  set: entra\nstore: { path: ./x.db }\nrulez:\n  set: google\n',
    )
    expect(() => loadConfig(root, {})).toThrow(
      new RegExp(
        `^${root}:7: unknown key "rulez" \\(expected one of: source, rules, store, fix, targets, guard\\)$`,
      ),
    )
    const nested = write(
      'source:\n  type: ldif\n  path: x.ldif\n  scope:\n    include: []\n    filtre: "(cn=*)"\n',
    )
    expect(() => loadConfig(nested, {})).toThrow(
      `${nested}:6: source.scope: unknown key "filtre" (expected one of: include, exclude, filter)`,
    )
  })

  it('refuses an invalid scope filter when loading, with its line', () => {
    const p = write('source:\n  type: ldif\n  path: x.ldif\n  scope:\n    filter: "(objectClass=*"\n')
    expect(() => loadConfig(p, {})).toThrow(
      `${p}:5: source.scope.filter: not a valid LDAP filter (expected RFC 4515 syntax`,
    )
  })

  it('types a number or boolean taken from ${VAR}, and keeps text fields text', () => {
    const p = write(
      LDAP.replace('  scope:', '  timeoutSeconds: ${TMO}\n  allowInsecure: "${INSECURE}"\n  scope:'),
    )
    const { config } = loadConfig(p, { LDAP_PASSWORD: '123456', TMO: '5', INSECURE: 'true' })
    if (config.source.type !== 'ldap') throw new Error('expected an LDAP source')
    expect(config.source.timeoutSeconds).toBe(5)
    expect(config.source.allowInsecure).toBe(true)
    expect(config.source.password).toBe('123456')
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x', TMO: 'soon', INSECURE: 'true' })).toThrow(
      `${p}:8: source.timeoutSeconds: expected number; the value of \${TMO} is not a number`,
    )
  })

  it('does not turn a quoted number written in the file into a number', () => {
    const p = write(LDAP.replace('  scope:', '  timeoutSeconds: "5"\n  scope:'))
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(
      `${p}:8: source.timeoutSeconds: expected number, received string`,
    )
  })

  it('rebuilds a split DN with an escaped comma, space included, in a suggestion that loads', () => {
    const p = write(
      'source:\n  type: ldif\n  path: x.ldif\n  scope:\n    include: [OU=Sales\\, EMEA,DC=corp,DC=local]\n',
    )
    const { warnings } = loadConfig(p, {})
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(
      `"OU=Sales\\", "EMEA", "DC=corp", "DC=local" look like the pieces of one DN`,
    )
    const suggestion = /Quote it: (include: .*)$/.exec(warnings[0] as string)?.[1]
    expect(suggestion).toBe(`include: ['OU=Sales\\, EMEA,DC=corp,DC=local']`)
    const fixed = write(`source:\n  type: ldif\n  path: x.ldif\n  scope:\n    ${suggestion}\n`)
    const again = loadConfig(fixed, {})
    expect(again.warnings).toEqual([])
    expect(again.config.source.scope.include).toEqual(['OU=Sales\\, EMEA,DC=corp,DC=local'])
  })

  it('refuses an LDAP scope entry outside the baseDN, naming the entry and the base', () => {
    const inc = write(LDAP.replace('["OU=Staff,DC=corp,DC=example,DC=com"]', '[OU=Staff]'))
    expect(() => loadConfig(inc, { LDAP_PASSWORD: 'x' })).toThrow(
      `${inc}:9: source.scope.include[0]: "OU=Staff" is not under the baseDN "DC=corp,DC=example,DC=com", so it would match nothing; write the whole DN, e.g. "OU=Staff,DC=corp,DC=example,DC=com"`,
    )
    const exc = write(
      LDAP.replace('    include:', '    exclude:\n      - "OU=Old,DC=other,DC=com"\n    include:'),
    )
    // an exclude that matches nothing is harmless: a warning
    expect(loadConfig(exc, { LDAP_PASSWORD: 'x' }).warnings).toEqual([
      `${exc}:10: source.scope.exclude[0]: "OU=Old,DC=other,DC=com" is not under the baseDN "DC=corp,DC=example,DC=com", so it would match nothing`,
    ])
  })

  it('takes a list of one-RDN base DNs (OpenLDAP suffixes), with a warning in case it is a split DN', () => {
    const p = write(
      LDAP.replace('baseDN: "DC=corp,DC=example,DC=com"', 'baseDN: [o=acme, o=partners]').replace(
        '["OU=Staff,DC=corp,DC=example,DC=com"]',
        '["ou=people,o=acme"]',
      ),
    )
    const loaded = loadConfig(p, { LDAP_PASSWORD: 'x' })
    expect(loaded.config.source.type === 'ldap' && loaded.config.source.baseDN).toEqual([
      'o=acme',
      'o=partners',
    ])
    expect(loaded.warnings.join('\n')).toMatch(
      /source\.baseDN: "o=acme", "o=partners" look like the pieces of one DN/,
    )
  })

  it('refuses an unquoted, split DN in an LDAP scope instead of only warning', () => {
    const p = write(
      LDAP.replace('["OU=Staff,DC=corp,DC=example,DC=com"]', '[OU=Staff,DC=corp,DC=example,DC=com]'),
    )
    expect(() => loadConfig(p, { LDAP_PASSWORD: 'x' })).toThrow(
      `${p}:9: source.scope.include: "OU=Staff", "DC=corp", "DC=example", "DC=com" look like the pieces of one DN`,
    )
  })
})
