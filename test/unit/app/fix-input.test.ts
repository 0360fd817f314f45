import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readFixInput } from '../../../src/app/fix-input.js'

const dir = mkdtempSync(join(tmpdir(), 'idsync-fixin-'))
let n = 0
const file = (ext: string, text: string) => {
  const p = join(dir, `f${++n}.${ext}`)
  writeFileSync(p, text)
  return p
}
const HEADER = 'DISTINGUISHEDNAME,COMMONNAME,OBJECTCLASS,ATTRIBUTE,ERROR,VALUE,UPDATE,ACTION\r\n'

describe('reading a reviewed findings file', () => {
  it('reads the scan CSV: EDIT with UPDATE, REMOVE, and rows without a decision', () => {
    const p = file(
      'csv',
      `${HEADER}"CN=A,DC=x",A,user,userPrincipalName,"character, mismatch",a b@x.com,ab@x.com,EDIT\r\n"CN=B,DC=x",B,user,proxyAddresses,duplicate,smtp:s@x.com,,remove\r\n"CN=C,DC=x",C,user,mail,character,c d@x.com,cd@x.com,\r\n`,
    )
    expect(readFixInput(p)).toEqual([
      {
        where: `${p}:2`,
        dn: 'CN=A,DC=x',
        anchor: null,
        objectClass: 'user',
        attribute: 'userPrincipalName',
        value: 'a b@x.com',
        codes: ['character', 'mismatch'],
        action: 'edit',
        update: 'ab@x.com',
      },
      {
        where: `${p}:3`,
        dn: 'CN=B,DC=x',
        anchor: null,
        objectClass: 'user',
        attribute: 'proxyAddresses',
        value: 'smtp:s@x.com',
        codes: ['duplicate'],
        action: 'remove',
        update: null,
      },
      {
        where: `${p}:4`,
        dn: 'CN=C,DC=x',
        anchor: null,
        objectClass: 'user',
        attribute: 'mail',
        value: 'c d@x.com',
        codes: ['character'],
        action: null,
        update: 'cd@x.com',
      },
    ])
  })

  it('reads the scan JSON, taking action and suggestion as decided', () => {
    const p = file(
      'json',
      JSON.stringify(
        {
          summary: {},
          findings: [
            {
              dn: 'CN=A,DC=x',
              objectClass: 'user',
              anchor: 'AAE=',
              attribute: 'mail',
              value: 'a b@x.com',
              codes: ['character'],
              severity: 'error',
              suggestion: 'ab@x.com',
              action: 'edit',
              conflictsWith: [],
            },
          ],
        },
        null,
        2,
      ),
    )
    expect(readFixInput(p)).toMatchObject([
      { dn: 'CN=A,DC=x', anchor: 'AAE=', action: 'edit', update: 'ab@x.com', where: `${p}:4 (findings[0])` },
    ])
  })

  it.each([
    ['csv', `${HEADER}"CN=A,DC=x",A,user,mail,character,a b@x.com,,EDIT\r\n`, ':2: EDIT without a new value'],
    [
      'csv',
      `${HEADER}"CN=A,DC=x",A,user,thumbnailPhoto,largeobject,204800,,REMOVE\r\n`,
      ':2: thumbnailPhoto cannot be changed by idsync fix',
    ],
    ['csv', `${HEADER}"CN=A,DC=x",A,user,mail,character,a b@x.com,ab@x.com\r\n`, ':2: not valid CSV'],
    ['csv', 'DN,ATTRIBUTE\r\nx,y\r\n', ':1: missing column DISTINGUISHEDNAME'],
    // a cell with a line break in it (quoted, CRLF) does not shift the lines after it
    [
      'csv',
      `\uFEFF${HEADER}"CN=A,DC=x",A,user,displayName,character,"two\r\nlines",one line,EDIT\r\n\r\n"CN=B,DC=x",B,user,mail,character,a b@x.com,ab@x.com,EDTI\r\n`,
      ':5: ACTION "EDTI"',
    ],
    [
      'csv',
      `${HEADER}"CN=A,DC=x",A,user,mail,character,a b@x.com,ab@x.com,EDIT\r\n"cn=a,dc=x",A,user,mail,character,a b@x.com,a.b@x.com,EDIT\r\n`,
      ':3: the same value of mail of cn=a,dc=x is already decided at',
    ],
    [
      'json',
      '{ "findings": [ { "dn": "CN=A", "attribute": "mail", "value": "x", "action": "fix" } ] }',
      ':1 (findings[0]): "action": expected "edit", "remove" or "none"',
    ],
    [
      'json',
      '{ "findings": [ \n {"dn": "CN=A",\n "attribute": 7, "action": "edit"} ] }',
      ':2 (findings[0]): "attribute": expected a string',
    ],
    ['json', '{ "findings": [ }', ': not valid JSON'],
    // what a YAML parser would take, but JSON is not
    [
      'json',
      '{ "findings": [\n {"dn": "CN=A", "attribute": "mail", "value": "x", "action": "none"},\n] }',
      ':3: not valid JSON',
    ],
    ['json', '{ "findings": [\n # a comment\n] }', ':2: not valid JSON'],
    [
      'json',
      '{ "findings": [\n {"dn": "CN=A", "attribute": "mail",\n "value": x, "action": "none"}] }',
      ':3: not valid JSON',
    ],
    [
      'json',
      '{ "findings": [\n {"dn": "CN=A", "dn": "CN=B", "attribute": "mail", "value": "x", "action": "none"}] }',
      ':2: not valid JSON (Map keys must be unique',
    ],
    ['json', '{ "other": [] }', 'expected the output of `idsync scan --format json`'],
  ])('refuses a malformed %s file whole, naming the place: %#', (ext, text, message) => {
    const p = file(ext, text)
    expect(() => readFixInput(p)).toThrow(message)
  })

  it('refuses a file that is not UTF-8, naming the line, instead of writing U+FFFD', () => {
    const p = join(dir, 'cp1252.csv')
    writeFileSync(
      p,
      Buffer.concat([
        Buffer.from(`${HEADER}"CN=A,DC=x",A,user,displayName,character,x,`),
        Buffer.from([0xc9]),
        Buffer.from('va,EDIT\r\n'),
      ]),
    )
    expect(() => readFixInput(p)).toThrow(`${p}:2: the file is not UTF-8`)
  })

  it('keeps an explicit JSON "none" as a decision, apart from a CSV row without one', () => {
    const json = file(
      'json',
      '{ "findings": [ {"dn": "CN=A", "attribute": "mail", "value": "x", "action": "none"} ] }',
    )
    expect(readFixInput(json)).toMatchObject([{ action: 'none' }])
    const csv = file('csv', `${HEADER}"CN=A,DC=x",A,user,mail,character,a b@x.com,ab@x.com,\r\n`)
    expect(readFixInput(csv)).toMatchObject([{ action: null, update: 'ab@x.com' }])
  })
})
