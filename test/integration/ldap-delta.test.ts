// Incremental reads (uSNChanged polling) against a real Samba AD DC: each kind of change
// an administrator makes is made over LDAP, then read back with changesSince from a
// cursor taken just before it; cursors that cannot be used give null; a server that is
// gone, a connection cut mid-read and a bind account blind to tombstones all throw.
import { randomBytes } from 'node:crypto'
import { Attribute, Change, type Client } from 'ldapts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LdapSourceConfig } from '../../src/config/schema.js'
import { LdapSource } from '../../src/connectors/ldap/source.js'
import type { DeltaResult, SourceCursor } from '../../src/connectors/types.js'
import { isUnder, normalizeDn } from '../../src/core/dn.js'
import { type DirObject, texts } from '../../src/core/model.js'
import {
  adminClient,
  ldapSourceConfig,
  ldapsearch,
  samba,
  sambaSkipReason,
  TestOu,
} from '../support/samba.js'
import type { SambaEnv } from '../support/samba-env.js'
import { type Relay, startRelay } from '../support/tcp-relay.js'

const env = samba()
const ATTRS = ['sAMAccountName', 'userPrincipalName', 'displayName', 'title', 'userAccountControl', 'member']
/** userAccountControl: NORMAL_ACCOUNT | PASSWD_NOTREQD (enabled without a password), and the same disabled */
const ENABLED = '544'
const DISABLED = '546'

describe.skipIf(!env)(`incremental reads from a Samba AD DC (${env ? 'live' : sambaSkipReason()})`, () => {
  const e = env as SambaEnv
  const tag = randomBytes(2).toString('hex')
  const D = e.baseDN
    .split(',')
    .map((p) => p.slice(3))
    .join('.')
  let client: Client
  let ou: TestOu
  let ouA: string
  let ouB: string
  let source: LdapSource
  const dn: Record<string, string> = {}

  const user = (cn: string, parent: string, attrs: Record<string, string> = {}) =>
    ou.addUser(
      cn,
      {
        sAMAccountName: `d${tag}${cn}`,
        userPrincipalName: `${cn}.${tag}@${D}`,
        userAccountControl: ENABLED,
        ...attrs,
      },
      parent,
    )

  beforeAll(async () => {
    client = await adminClient(e)
    ou = await new TestOu(client, e, 'DeltaTest').create()
    ouA = await ou.addOu('A')
    ouB = await ou.addOu('B')
    for (const cn of ['ann', 'ben', 'cat', 'dan', 'eve']) dn[cn] = await user(cn, ouA, { displayName: cn })
    dn.staff = await ou.addGroup(`staff${tag}`, { member: [dn.ann!, dn.ben!] }, ouA)
    // include and filter name one OU and users only: incremental reads must ignore both
    source = new LdapSource(
      ldapSourceConfig(e, { scope: { include: [ouA], exclude: [], filter: '(objectClass=user)' } }),
    )
  }, 120_000)

  afterAll(async () => {
    await source?.close()
    await ou?.remove()
    await client?.unbind()
  })

  /** take a cursor, make the change, read what changed since the cursor */
  async function delta(change: () => Promise<unknown>): Promise<{ before: SourceCursor; d: DeltaResult }> {
    const before = await source.currentCursor()
    await change()
    const d = await source.changesSince(before, { attributes: ATTRS })
    expect(d).not.toBeNull()
    return { before, d: d as DeltaResult }
  }
  /** the changed objects under the suite's OU, by DN (the rest of the domain is not ours) */
  const ours = (d: DeltaResult) => d.changed.filter((o) => isUnder(o.dn, ou.dn))
  const dnsOf = (objects: readonly DirObject[]) => objects.map((o) => o.dn).sort()
  const guid = (o: DirObject) => Buffer.from(o.attrs.get('objectguid')?.[0] as Uint8Array).toString('base64')
  const usn = (o: DirObject) => BigInt(texts(o, 'usnchanged')[0] as string)
  async function guidOf(at: string): Promise<string> {
    const { searchEntries } = await client.search(at, {
      scope: 'base',
      attributes: ['objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    })
    return (searchEntries[0]!.objectGUID as Buffer).toString('base64')
  }
  const replace = (at: string, attribute: string, values: string[]) => ou.replace(at, attribute, values)
  const members = (group: string, operation: 'add' | 'delete', values: string[]) =>
    client.modify(group, new Change({ operation, modification: new Attribute({ type: 'member', values }) }))

  it("reads the DC's position: its NTDS Settings DN, invocationId and highestCommittedUSN", async () => {
    const cursor = await source.currentCursor()
    const { searchEntries } = await client.search('', {
      scope: 'base',
      attributes: ['dsServiceName', 'highestCommittedUSN'],
    })
    const dse = searchEntries[0]!
    expect(cursor.kind).toBe('usn')
    expect(cursor.server).toBe(dse.dsServiceName)
    expect(cursor.usn).toMatch(/^\d+$/)
    expect(BigInt(cursor.usn)).toBeLessThanOrEqual(BigInt(dse.highestCommittedUSN as string))
    // the invocationId as ldapsearch prints it (base64 LDIF of the raw 16 bytes)
    const ntds = ldapsearch(e, cursor.server, ['invocationId'], '(objectClass=nTDSDSA)')
    expect(ntds).toContain(`invocationId:: ${cursor.invocationId}\n`)
    expect(Buffer.from(cursor.invocationId, 'base64')).toHaveLength(16)
  })

  it('reports nothing, and keeps the cursor, when nothing changed', async () => {
    const { before, d } = await delta(async () => {})
    expect(d).toEqual({ changed: [], deletedGuids: [], containers: [], cursor: before })
  })

  it('reports a changed attribute with the requested attributes, objectClass, uSNChanged and objectGUID', async () => {
    const { before, d } = await delta(() => replace(dn.ann!, 'title', ['Engineer']))
    expect(dnsOf(ours(d))).toEqual([dn.ann])
    const ann = ours(d)[0]!
    expect([...ann.attrs.keys()].sort()).toEqual([
      'displayname',
      'objectclass',
      'objectguid',
      'samaccountname',
      'title',
      'useraccountcontrol',
      'userprincipalname',
      'usnchanged',
    ])
    expect(texts(ann, 'title')).toEqual(['Engineer'])
    expect(texts(ann, 'objectclass')).toEqual(['top', 'person', 'organizationalPerson', 'user'])
    expect(guid(ann)).toBe(await guidOf(dn.ann!))
    expect(usn(ann)).toBeGreaterThan(BigInt(before.usn))
    expect(usn(ann)).toBeLessThanOrEqual(BigInt(d.cursor.usn))
    expect(d.deletedGuids).toEqual([])
    expect(d.containers).toEqual([])
  })

  it('reports a new user', async () => {
    const { d } = await delta(async () => {
      dn.fay = await user('fay', ouA)
    })
    expect(dnsOf(ours(d))).toEqual([dn.fay])
    expect(guid(ours(d)[0]!)).toBe(await guidOf(dn.fay!))
    expect(texts(ours(d)[0]!, 'samaccountname')).toEqual([`d${tag}fay`])
  })

  it('reports a sAMAccountName and UPN rename as the same object (same objectGUID)', async () => {
    const was = await guidOf(dn.ben!)
    const { d } = await delta(async () => {
      await replace(dn.ben!, 'sAMAccountName', [`d${tag}benji`])
      await replace(dn.ben!, 'userPrincipalName', [`benji.${tag}@${D}`])
    })
    expect(dnsOf(ours(d))).toEqual([dn.ben])
    const ben = ours(d)[0]!
    expect(guid(ben)).toBe(was)
    expect(texts(ben, 'samaccountname')).toEqual([`d${tag}benji`])
    expect(texts(ben, 'userprincipalname')).toEqual([`benji.${tag}@${D}`])
  })

  it('reports a user disabled through userAccountControl', async () => {
    const { d } = await delta(() => replace(dn.cat!, 'userAccountControl', [DISABLED]))
    expect(ours(d).map((o) => [o.dn, texts(o, 'useraccountcontrol')])).toEqual([[dn.cat, [DISABLED]]])
  })

  it('reports a user moved to another OU under its new DN, even out of the include list', async () => {
    const was = await guidOf(dn.dan!)
    const to = `CN=dan,${ouB}`
    const { d } = await delta(() => client.modifyDN(dn.dan!, to))
    dn.dan = to
    // the source's include list is OU A only: the caller decides that dan left the scope
    expect(ours(d).map((o) => [o.dn, guid(o)])).toEqual([[to, was]])
    expect(d.containers).toEqual([])
    expect(d.deletedGuids).toEqual([])
  })

  it('reports a deleted user by its objectGUID, from its tombstone', async () => {
    const was = await guidOf(dn.eve!)
    const { d } = await delta(() => client.del(dn.eve!))
    expect(d.deletedGuids).toEqual([was])
    expect(ours(d)).toEqual([])
  })

  it('finds deletions when baseDN is an OU: tombstones move out of it, to Deleted Objects', async () => {
    const narrow = new LdapSource(ldapSourceConfig(e, { baseDN: ouB }))
    const gone = await user('gus', ouB)
    const was = await guidOf(gone)
    const cursor = await narrow.currentCursor()
    await client.del(gone)
    await replace(ou.dn, 'description', ['outside the base'])
    const d = await narrow.changesSince(cursor, { attributes: ATTRS })
    await narrow.close()
    expect(d?.deletedGuids).toEqual([was])
    // changes are looked for in the whole naming context (an object moved out of the base
    // leaves no tombstone); what is outside the base is the caller's to leave out
    expect(d?.changed.map((o) => o.dn)).toContain(ou.dn)
  })

  it('throws when the DC does not hold the baseDN', async () => {
    const elsewhere = new LdapSource(ldapSourceConfig(e, { baseDN: 'DC=elsewhere,DC=test' }))
    const cursor = await elsewhere.currentCursor()
    await expect(elsewhere.changesSince(cursor, { attributes: ATTRS })).rejects.toMatchObject({
      code: 'ERR_LDAP_READ',
      message: expect.stringContaining('does not hold DC=elsewhere,DC=test'),
    })
    await elsewhere.close()
  })

  it('reports a group with its whole member list when a member is added, and when one is removed', async () => {
    const added = await delta(() => members(dn.staff!, 'add', [dn.cat!]))
    expect(ours(added.d).map((o) => [o.dn, texts(o, 'member').sort()])).toEqual([
      [dn.staff, [dn.ann, dn.ben, dn.cat].sort()],
    ])
    const removed = await delta(() => members(dn.staff!, 'delete', [dn.ben!]))
    expect(ours(removed.d).map((o) => [o.dn, texts(o, 'member').sort()])).toEqual([
      [dn.staff, [dn.ann, dn.cat].sort()],
    ])
  })

  it('reads again everything under a renamed OU: its objects under their new DNs, the OU in containers', async () => {
    const renamed = `OU=A-renamed,${ou.dn}`
    const { before, d } = await delta(async () => {
      await replace(dn.fay!, 'title', ['Analyst'])
      await client.modifyDN(ouA, renamed)
    })
    const moved = (at: string) => at.replace(ouA, renamed)
    expect(d.containers).toEqual([renamed])
    expect(dnsOf(ours(d))).toEqual(
      [renamed, moved(dn.ann!), moved(dn.ben!), moved(dn.cat!), moved(dn.fay!), moved(dn.staff!)].sort(),
    )
    const byDn = new Map(ours(d).map((o) => [o.dn, o]))
    // Samba renames the objects below without a new uSNChanged: only the subtree read finds them
    for (const cn of ['ann', 'ben', 'cat', 'staff'])
      expect(usn(byDn.get(moved(dn[cn]!))!)).toBeLessThanOrEqual(BigInt(before.usn))
    // changed by itself as well as under the OU: one object, as last read
    expect(texts(byDn.get(moved(dn.fay!))!, 'title')).toEqual(['Analyst'])
    expect(texts(byDn.get(moved(dn.staff!))!, 'member').sort()).toEqual(
      [moved(dn.ann!), moved(dn.cat!)].sort(),
    )
    for (const cn of ['ann', 'ben', 'cat', 'fay', 'staff']) dn[cn] = moved(dn[cn]!)
    ouA = renamed
  })

  it('gives null for a cursor of another DC, another invocationId, a USN not reached yet or a bad USN', async () => {
    const now = await source.currentCursor()
    const other = now.server.replace('CN=DC1,', 'CN=DC2,')
    expect(other).not.toBe(now.server)
    const read = (c: SourceCursor) => source.changesSince(c, { attributes: ATTRS })
    expect(await read({ ...now, server: other })).toBeNull()
    expect(await read({ ...now, invocationId: randomBytes(16).toString('base64') })).toBeNull()
    expect(await read({ ...now, usn: (BigInt(now.usn) + 1000n).toString() })).toBeNull()
    expect(await read({ ...now, usn: 'twelve' })).toBeNull()
    // the same DC, spelt in another case, is the same DC
    expect(await read({ ...now, server: now.server.toLowerCase() })).not.toBeNull()
  })

  it('throws, naming the server, when the server cannot be reached', async () => {
    const gone = new LdapSource(ldapSourceConfig(e, { url: 'ldaps://127.0.0.1:1' }))
    const cursor = await source.currentCursor()
    await expect(gone.currentCursor()).rejects.toMatchObject({
      code: 'ERR_LDAP_CONNECT',
      message: expect.stringMatching(/^ldaps:\/\/127\.0\.0\.1:1: connection refused/),
    })
    await expect(gone.changesSince(cursor, { attributes: ATTRS })).rejects.toMatchObject({
      code: 'ERR_LDAP_CONNECT',
    })
    await gone.close()
  })

  describe('through a TCP relay that can stop the server', () => {
    let relay: Relay
    const via = (over: Partial<LdapSourceConfig> = {}) =>
      new LdapSource(ldapSourceConfig(e, { url: `ldaps://127.0.0.1:${relay.port}`, ...over }))

    beforeAll(async () => {
      const port = Number(new URL(e.ldapsUrl).port || 636)
      relay = await startRelay(port)
    })
    afterAll(() => relay?.stop())

    it('throws when the server stops between the cursor and the changes', async () => {
      const s = via()
      const cursor = await s.currentCursor()
      await replace(ou.dn, 'description', ['stopped'])
      await relay.stop()
      await expect(s.changesSince(cursor, { attributes: ATTRS })).rejects.toMatchObject({
        code: 'ERR_LDAP_CONNECT',
      })
      await s.close()
      relay = await startRelay(relay.target)
    })

    it('throws rather than return part of a delta when the connection drops mid-read', async () => {
      const cursor = await source.currentCursor()
      // a renamed OU with a few pages of objects under it; pages of 2
      const c = await ou.addOu('C')
      for (let i = 0; i < 8; i++) await user(`c${i}`, c)
      await client.modifyDN(c, `OU=C-renamed,${ou.dn}`)
      const whole = via({ pageSize: 2 })
      relay.count = 0
      const d = await whole.changesSince(cursor, { attributes: ATTRS })
      await whole.close()
      const total = relay.count
      expect(ours(d as DeltaResult).filter((o) => isUnder(o.dn, `OU=C-renamed,${ou.dn}`))).toHaveLength(9)
      // the same read again, cut halfway through the bytes the server sends
      const cut = via({ pageSize: 2 })
      relay.count = 0
      relay.cutAfter = Math.floor(total / 2)
      await expect(cut.changesSince(cursor, { attributes: ATTRS })).rejects.toMatchObject({
        code: 'ERR_LDAP_CONNECT',
        message: expect.stringMatching(/^the incremental read failed \(.+\), nothing was used from it: /),
      })
      await cut.close()
      relay.cutAfter = Number.POSITIVE_INFINITY
    })
  })

  it('throws when the bind account cannot see deleted objects, rather than report no deletions', async () => {
    const password = `Pw.${randomBytes(9).toString('base64url')}-1a`
    const reader = await ou.addUser('reader', {
      sAMAccountName: `d${tag}reader`,
      unicodePwd: Buffer.from(`"${password}"`, 'utf16le'),
      userAccountControl: '512',
    })
    const plain = new LdapSource(ldapSourceConfig(e, { bindDN: reader, password }))
    const cursor = await plain.currentCursor()
    expect(normalizeDn(cursor.server)).toBe(normalizeDn((await source.currentCursor()).server))
    await expect(plain.changesSince(cursor, { attributes: ATTRS })).rejects.toMatchObject({
      code: 'ERR_LDAP_AUTH',
      message: expect.stringContaining(`cannot read the Deleted Objects container of ${e.baseDN}`),
    })
    await plain.close()
  })
})
