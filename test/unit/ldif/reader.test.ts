import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  type LdifEnd,
  parseLdif,
  parseLdifBytes,
  type ReadLdifOptions,
  readLdif,
} from '../../../src/connectors/ldif/reader.js'
import { LdifSource } from '../../../src/connectors/ldif/source.js'
import { splitLdif } from '../../../src/connectors/ldif/split.js'
import { contentRecord, ldifLine, modifyRecord } from '../../../src/connectors/ldif/writer.js'

const dir = mkdtempSync(join(tmpdir(), 'idsync-ldif-'))
const file = (name: string, text: string | Buffer) => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}
async function readFile(path: string, options: ReadLdifOptions = {}) {
  const out = []
  for await (const r of readLdif(path, options)) out.push(r)
  return out
}

describe('LDIF reader', () => {
  it('reads records separated by blank lines, with the version line and comments', () => {
    const recs = parseLdif(
      'version: 1\n# a comment\n#  folded comment\n  more comment\n\ndn: CN=A,DC=x\ncn: A\nmail: a@x.com\n\n\ndn: CN=B,DC=x\ncn: B\n',
    )
    expect(recs.map((r) => [r.dn, r.line, Object.fromEntries(r.attrs)])).toEqual([
      ['CN=A,DC=x', 6, { cn: ['A'], mail: ['a@x.com'] }],
      ['CN=B,DC=x', 11, { cn: ['B'] }],
    ])
  })

  it('joins folded lines (one leading space is removed, the rest kept)', () => {
    const [r] = parseLdif('dn: CN=A,DC=x\ndescription: one\n  two\n three\n')
    expect(r?.attrs.get('description')).toEqual(['one twothree'])
  })

  it('decodes base64 values as UTF-8 text, and binary attributes as bytes', () => {
    const [r] = parseLdif(
      `dn:: ${Buffer.from('CN=José,DC=x').toString('base64')}\ndisplayName:: ${Buffer.from(' Zoë ').toString('base64')}\nobjectGUID:: AAECAwQFBgcICQoLDA0ODw==\n`,
    )
    expect(r?.dn).toBe('CN=José,DC=x')
    expect(r?.attrs.get('displayname')).toEqual([' Zoë '])
    expect(r?.attrs.get('objectguid')?.[0]).toEqual(
      new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
    )
  })

  it('keeps the values of multi-valued attributes in stored order and folds names to lower case', () => {
    const [r] = parseLdif(
      'dn: CN=A,DC=x\nproxyAddresses: SMTP:a@x.com\nPROXYADDRESSES: smtp:b@x.com\nuserCertificate;binary:: AQI=\n',
    )
    expect(r?.attrs.get('proxyaddresses')).toEqual(['SMTP:a@x.com', 'smtp:b@x.com'])
    expect(r?.attrs.get('usercertificate')).toEqual([new Uint8Array([1, 2])])
  })

  it('accepts CRLF line ends', () => {
    const [r] = parseLdif('dn: CN=A,DC=x\r\ncn: A\r\n\r\n')
    expect(r?.attrs.get('cn')).toEqual(['A'])
  })

  it('treats changetype: add as content and refuses other change records with the line', () => {
    expect(parseLdif('dn: CN=A,DC=x\nchangetype: add\ncn: A\n')[0]?.attrs.get('cn')).toEqual(['A'])
    expect(() => parseLdif('dn: CN=A,DC=x\nchangetype: modify\nreplace: cn\n', 'f.ldif')).toThrow(
      'f.ldif:2: change records (changetype: modify) are not a directory',
    )
  })

  it.each([
    [
      'dn: CN=A,DC=x\njpegPhoto:< file:///etc/passwd\n',
      'f.ldif:2: URL values (jpegPhoto:< …) are not supported',
    ],
    ['dn: CN=A,DC=x\nnot a line\n', 'f.ldif:2: expected "attribute: value", found no colon'],
    ['cn: A\n', 'f.ldif:1: expected "dn:" to start a record, found "cn:"'],
    ['dn: CN=A,DC=x\ncn:: ***\n', 'f.ldif:2: the value of cn is not valid base64'],
    ['dn: CN=A,DC=x\ndn: CN=B,DC=x\n', 'f.ldif:2: a second "dn:" in one record'],
    [' continued\n', 'f.ldif:1: continuation line'],
    ['version: 2\n', 'f.ldif:1: unsupported LDIF version'],
    ['dn: CN=A,DC=x\nbad name!: v\n', 'f.ldif:2: "bad name!" is not an attribute name'],
  ])('refuses malformed input with the line number: %j', (text, message) => {
    expect(() => parseLdif(text, 'f.ldif')).toThrow(message)
  })

  it('names the line of a problem deep in a file, counting folded lines', async () => {
    const p = file(
      'deep.ldif',
      `${'dn: CN=A,DC=x\ndescription: a\n b\n\n'.repeat(1000)}dn: CN=Z,DC=x\nbroken\n`,
    )
    await expect(readFile(p)).rejects.toThrow(`${p}:4002: expected "attribute: value"`)
  })

  it('says so when the file does not exist', async () => {
    await expect(readFile(join(dir, 'missing.ldif'))).rejects.toThrow(/missing\.ldif: no such file/)
  })

  it('streams records across chunk boundaries of a large file', async () => {
    const rec = (i: number) => `dn: CN=U${i},DC=x\ncn: U${i}\ndescription: ${'x'.repeat(200)}\n\n`
    const p = file('big.ldif', Array.from({ length: 20000 }, (_, i) => rec(i)).join(''))
    const recs = await readFile(p)
    expect(recs).toHaveLength(20000)
    expect(recs[19999]?.dn).toBe('CN=U19999,DC=x')
  })
})

describe('LDIF input encoding', () => {
  const latin1 = Buffer.from('dn: CN=A,DC=x\ncn: A\n\ndn: CN=B,DC=x\ncn: Jos\xe9\n', 'latin1')

  it('skips a UTF-8 byte order mark', async () => {
    const text = '\ufeffdn: CN=A,DC=x\ncn: A\n'
    expect(parseLdif(text)[0]?.dn).toBe('CN=A,DC=x')
    expect(parseLdifBytes(Buffer.from(text))[0]?.dn).toBe('CN=A,DC=x')
    const recs = await readFile(file('bom.ldif', text))
    expect(recs.map((r) => [r.dn, r.line])).toEqual([['CN=A,DC=x', 1]])
  })

  it.each([
    [
      'with a little-endian BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('dn: CN=A\n', 'utf16le')]),
    ],
    ['with a big-endian BOM', Buffer.from([0xfe, 0xff, 0, 0x64, 0, 0x6e])],
    ['without a BOM', Buffer.from('dn: CN=A\n', 'utf16le')],
  ])('refuses a UTF-16 file %s', async (_what, bytes) => {
    const p = file('utf16.ldif', bytes)
    await expect(readFile(p)).rejects.toThrow(`${p}: the file is UTF-16; LDIF must be UTF-8 (RFC 2849)`)
  })

  it('refuses invalid UTF-8 with the line and attribute, instead of decoding it to U+FFFD', async () => {
    expect(() => parseLdifBytes(latin1, 'f.ldif')).toThrow(
      'f.ldif:5: the value of cn is not valid UTF-8; LDIF must be UTF-8 (RFC 2849)',
    )
    const p = file('latin1.ldif', latin1)
    await expect(readFile(p)).rejects.toThrow(`${p}:5: the value of cn is not valid UTF-8`)
  })

  it('names the line of invalid UTF-8 deep in a large file, past chunk boundaries', async () => {
    const rec = (i: number) => `dn: CN=U${i},DC=x\ncn: Zoë ${i}\ndescription: ${'x'.repeat(200)}\n\n`
    const body = Array.from({ length: 20000 }, (_, i) => rec(i)).join('')
    const p = file('deep-latin1.ldif', Buffer.concat([Buffer.from(body), latin1]))
    await expect(readFile(p)).rejects.toThrow(`${p}:80005: the value of cn is not valid UTF-8`)
  })

  it('refuses a NUL byte in the middle of a file with its line', () => {
    expect(() => parseLdifBytes(Buffer.from('dn: CN=A,DC=x\ncn: A\x00B\n'), 'f.ldif')).toThrow(
      'f.ldif:2: the value of cn holds a NUL byte',
    )
  })

  it('does not cut a UTF-16 file into parts for several readers', async () => {
    const p = file('big-utf16.ldif', Buffer.from('dn: CN=A,DC=x\ncn: A\n\n'.repeat(220_000), 'utf16le'))
    expect(await splitLdif(p, 2)).toHaveLength(1)
  })
})

describe('LDIF file that does not end with a newline', () => {
  const cut = 'dn: CN=A,DC=x\ncn: A\n\ndn: CN=B,DC=x\ncn: B\nmail: b@x.c'

  it('is read, and says so (it is likely truncated)', async () => {
    const p = file('cut.ldif', cut)
    let end: LdifEnd | null = null
    const recs = await readFile(p, { onEnd: (e) => (end = e) })
    expect(recs).toHaveLength(2)
    expect(end).toEqual({ endsWithNewline: false })
    let whole: LdifEnd | null = null
    await readFile(file('whole.ldif', `${cut}om\n`), { onEnd: (e) => (whole = e) })
    expect(whole).toEqual({ endsWithNewline: true })
  })

  it('gives the source a warning to show', async () => {
    const p = file('cut2.ldif', cut)
    const source = new LdifSource(p)
    for await (const _ of source.read({ attributes: ['*'] })) {
      // read to the end
    }
    expect(source.endsWithNewline).toBe(false)
    expect(source.warning).toBe(
      `${p}: the last line does not end with a newline: the file may be truncated (a copy cut off mid-record); its last record was read as it is`,
    )
  })

  it('is refused, before its last record, by a reader that requires a final newline', async () => {
    const p = file('cut3.ldif', cut)
    const seen: string[] = []
    await expect(
      (async () => {
        for await (const r of readLdif(p, { requireFinalNewline: true })) seen.push(r.dn)
      })(),
    ).rejects.toThrow(`${p}:6: the file ends in the middle of a line (no newline after the last line)`)
    expect(seen).toEqual(['CN=A,DC=x'])
  })
})

describe('LDIF writer', () => {
  it('base64-encodes values that are not safe strings, and round-trips through the reader', () => {
    const values = [
      'plain',
      ' leading space',
      'trailing ',
      ':colon first',
      '<angle',
      'Zoë',
      'line\nbreak',
      '',
    ]
    const text = contentRecord('CN=A,DC=x', [['description', values]])
    expect(text).toContain('description: plain\n')
    expect(text).toContain(`description:: ${Buffer.from(' leading space').toString('base64')}`)
    expect(parseLdif(text)[0]?.attrs.get('description')).toEqual(values)
  })

  it('folds long lines at 76 columns', () => {
    const line = ldifLine('description', 'y'.repeat(200))
    expect(line.split('\n').every((l) => l.length <= 76)).toBe(true)
    expect(parseLdif(`dn: CN=A\n${line}\n`)[0]?.attrs.get('description')).toEqual(['y'.repeat(200)])
  })

  it('writes changetype: modify records', () => {
    expect(
      modifyRecord('CN=A,DC=x', [
        { op: 'delete', attribute: 'proxyAddresses', values: ['smtp:a b@x.com'] },
        { op: 'add', attribute: 'proxyAddresses', values: ['smtp:ab@x.com'] },
      ]),
    ).toBe(
      'dn: CN=A,DC=x\nchangetype: modify\ndelete: proxyAddresses\nproxyAddresses: smtp:a b@x.com\n-\nadd: proxyAddresses\nproxyAddresses: smtp:ab@x.com\n-\n',
    )
  })
})
