import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { suffixMapOf } from '../../../src/cli/options.js'
import { IdsyncError } from '../../../src/core/errors.js'
import { runCliFromSource } from './run-source.js'

const dir = mkdtempSync(join(tmpdir(), 'idsync-cli-'))
const ldif = join(dir, 'ok.ldif')
writeFileSync(ldif, 'dn: CN=A,DC=corp,DC=local\nobjectClass: user\ncn: A\n\n')

describe('--suffix-map', () => {
  it('takes FROM=TO pairs on top of the config, keys lower-cased', () => {
    const map = suffixMapOf([' Corp.Local = corp.example.com '], { 'old.local': 'old.example.com' })
    expect([...map]).toEqual([
      ['old.local', 'old.example.com'],
      ['corp.local', 'corp.example.com'],
    ])
  })

  it.each(['foo', '=x', 'x=', ' = ', 'a=b=c'])('refuses %j as a usage error naming the option', (bad) => {
    expect(() => suffixMapOf([bad])).toThrow(IdsyncError)
    expect(() => suffixMapOf([bad])).toThrow(
      `--suffix-map ${bad}: expected FROM=TO, e.g. corp.local=corp.example.com`,
    )
  })

  it('prints one line and exits 2 on a malformed pair (it used to exit 2 in silence)', () => {
    const r = runCliFromSource(['scan', '--ldif', ldif, '--suffix-map', 'foo'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('idsync: --suffix-map foo: expected FROM=TO, e.g. corp.local=corp.example.com\n')
  })

  it('still lets commander report a bad option value once, with the usage hint', () => {
    const r = runCliFromSource(['scan', '--ldif', ldif, '--format', 'bogus'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      "error: option '--format <format>' argument 'bogus' is invalid. expected one of table, csv, json\n(run with --help for usage)\n",
    )
  })
})

describe('scan --out', () => {
  it('refuses a folder that does not exist before scanning, naming it', () => {
    // the LDIF file is missing too: the --out error coming first shows no scan ran
    const out = join(dir, 'no-such-folder', 'x.csv')
    const r = runCliFromSource(['scan', '--ldif', join(dir, 'missing.ldif'), '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`idsync: --out ${out}: the folder ${join(dir, 'no-such-folder')} does not exist\n`)
  })

  it('refuses a folder given as the file to write', () => {
    const r = runCliFromSource(['scan', '--ldif', ldif, '--out', dir])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`idsync: --out ${dir}: is a folder; expected the name of a file to write\n`)
  })
})
