#!/usr/bin/env node
// Generates the LDIF of a fictional organisation (Contoso), deterministically: the same
// options always give the same bytes. Used for the bundled sample directory and for the
// benchmarks. A realistic sprinkling of the problems that break directory sync
// (duplicate addresses, non-routable UPN suffixes, diacritics, spaces, over-long
// values, several primaries, conflict copies, service accounts) is planted at a chosen
// rate, and the kinds planted are counted on stderr.
//
//   node scripts/generate-directory.mjs --users 3000 --out sample/contoso.ldif
//   node scripts/generate-directory.mjs --objects 100000 --problems 0.03 --out /tmp/big.ldif
import { createWriteStream } from 'node:fs'
import { parseArgs } from 'node:util'

const { values: opts } = parseArgs({
  options: {
    users: { type: 'string' },
    objects: { type: 'string' },
    problems: { type: 'string', default: '0.03' },
    seed: { type: 'string', default: '20261122' },
    out: { type: 'string' },
    proxies: { type: 'string', default: '3-6' },
  },
})

// ---------------------------------------------------------------- deterministic randomness
let state = Number(opts.seed) >>> 0
function random() {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0
  let t = state
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const pick = (list) => list[Math.floor(random() * list.length)]
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1))
const guid = () => Buffer.from(Array.from({ length: 16 }, () => int(0, 255)))

// ---------------------------------------------------------------- the organisation
const DOMAIN = 'contoso.com'
const BASE = 'DC=corp,DC=contoso,DC=com'
const GIVEN = [
  'Alex',
  'Anna',
  'Ben',
  'Chloé',
  'Dmitri',
  'Elena',
  'Farid',
  'Grace',
  'Hiro',
  'Ines',
  'Jakub',
  'José',
  'Kai',
  'Lena',
  'Łukasz',
  'Maria',
  'Nils',
  'Olivia',
  'Priya',
  'Quinn',
  'Rosa',
  'Søren',
  'Tom',
  'Uma',
  'Victor',
  'Wei',
  'Xavier',
  'Yara',
  'Zoë',
  'Øyvind',
  'Amélie',
  'Björn',
  'Carmen',
  'David',
  'Emma',
  'Fatima',
  'George',
  'Hannah',
  'Ivan',
  'Julia',
  'Kofi',
  'Laura',
  'Mohammed',
  'Nora',
  'Oscar',
  'Paula',
  'Rahul',
  'Sara',
  'Tariq',
  'Ulla',
]
const SURNAME = [
  'Smith',
  'Müller',
  'García',
  'Nguyen',
  'Kowalski',
  'Johansson',
  'Rossi',
  'Dubois',
  'Silva',
  'Tanaka',
  'Okafor',
  'Novak',
  'Jensen',
  'Fernández',
  'Brown',
  'Wilson',
  'Schmidt',
  'Larsen',
  'Kim',
  'Patel',
  'Cohen',
  'Ivanova',
  "O'Brien",
  'Van der Berg',
  'Hernández',
  'Nakamura',
  'Andersson',
  'Bianchi',
  'Costa',
  'Dahl',
  'Evans',
  'Fischer',
  'Gómez',
  'Haddad',
  'Ito',
  'Jovanović',
  'Keller',
  'Lindqvist',
  'Martin',
  'Nielsen',
]
const DEPARTMENTS = [
  'Sales',
  'Engineering',
  'Finance',
  'Support',
  'Marketing',
  'Legal',
  'Operations',
  'Research',
  'HR',
  'Facilities',
]
const TITLES = [
  'Analyst',
  'Engineer',
  'Manager',
  'Specialist',
  'Coordinator',
  'Director',
  'Associate',
  'Consultant',
]
const PARTNERS = [
  'fabrikam.com',
  'adventure-works.com',
  'tailspintoys.com',
  'wingtiptoys.com',
  'northwindtraders.com',
]

const ascii = (s) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ø/g, 'o')
    .replace(/Ø/g, 'O')
    .replace(/ł/g, 'l')
    .replace(/Ł/g, 'L')
    .replace(/[^A-Za-z]/g, '')

// ---------------------------------------------------------------- LDIF output
// biome-ignore lint/suspicious/noControlCharactersInRegex: RFC 2849 SAFE-STRING is defined by control-character ranges
const SAFE = /^[\x01-\x09\x0b\x0c\x0e-\x1f\x21-\x39\x3b\x3d-\x7f][\x01-\x09\x0b\x0c\x0e-\x7f]*$/
function line(name, value) {
  if (Buffer.isBuffer(value)) return `${name}:: ${value.toString('base64')}\n`
  const v = String(value)
  if (v === '' || (SAFE.test(v) && !v.endsWith(' '))) return `${name}: ${v}\n`
  return `${name}:: ${Buffer.from(v, 'utf8').toString('base64')}\n`
}
function record(dn, attrs) {
  let s = line('dn', dn)
  for (const [k, v] of attrs) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) for (const x of v) s += line(k, x)
    else s += line(k, v)
  }
  return `${s}\n`
}
const escapeRdn = (s) => s.replace(/([,+"\\<>;=#])/g, '\\$1')

// ---------------------------------------------------------------- problems
const problemRate = Number(opts.problems)
const planted = {}
const plant = (kind) => {
  planted[kind] = (planted[kind] ?? 0) + 1
}
const [minProxies, maxProxies] = opts.proxies.split('-').map(Number)

// ---------------------------------------------------------------- sizes
let users = Number(opts.users ?? 0)
if (!users) {
  const objects = Number(opts.objects ?? 3000)
  // groups ≈ 2% of users + departments, contacts ≈ 5% of users
  users = Math.max(10, Math.round((objects - 40) / 1.07))
}
const teams = Math.max(1, Math.round(users * 0.02))
const contacts = Math.round(users * 0.05)

const out = opts.out ? createWriteStream(opts.out) : process.stdout
let buffered = ''
let written = 0
async function emit(text) {
  buffered += text
  written++
  if (buffered.length > 1 << 20) {
    if (!out.write(buffered)) await new Promise((r) => out.once('drain', r))
    buffered = ''
  }
}

emit(
  `version: 1\n\n# Contoso (fictional) — generated by scripts/generate-directory.mjs --seed ${opts.seed}\n\n`,
)
written--
for (const dn of [
  BASE,
  `OU=People,${BASE}`,
  `OU=Groups,${BASE}`,
  `OU=Contacts,${BASE}`,
  `CN=Users,${BASE}`,
  `CN=Computers,${BASE}`,
]) {
  const isOu = dn.startsWith('OU=')
  await emit(
    record(dn, [
      [
        'objectClass',
        isOu
          ? ['top', 'organizationalUnit']
          : dn === BASE
            ? ['top', 'domain', 'domainDNS']
            : ['top', 'container'],
      ],
      [isOu ? 'ou' : dn === BASE ? 'dc' : 'cn', dn.split(',')[0].split('=')[1]],
    ]),
  )
}
for (const d of DEPARTMENTS)
  await emit(
    record(`OU=${d},OU=People,${BASE}`, [
      ['objectClass', ['top', 'organizationalUnit']],
      ['ou', d],
    ]),
  )

// well-known objects: critical, service accounts (skipped), a computer (out of scope)
await emit(
  record(`CN=Administrator,CN=Users,${BASE}`, [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
    ['cn', 'Administrator'],
    ['sAMAccountName', 'Administrator'],
    ['isCriticalSystemObject', 'TRUE'],
    ['objectGUID', guid()],
  ]),
)
await emit(
  record(`CN=krbtgt,CN=Users,${BASE}`, [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
    ['cn', 'krbtgt'],
    ['sAMAccountName', 'krbtgt'],
    ['isCriticalSystemObject', 'TRUE'],
    ['objectGUID', guid()],
  ]),
)
await emit(
  record(`CN=MSOL_4f2a9c1d7e30,CN=Users,${BASE}`, [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
    ['cn', 'MSOL_4f2a9c1d7e30'],
    ['sAMAccountName', 'MSOL_4f2a9c1d7e30'],
    ['objectGUID', guid()],
  ]),
)
await emit(
  record(`CN=HealthMailbox0c2d,CN=Users,${BASE}`, [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
    ['cn', 'HealthMailbox0c2d'],
    ['sAMAccountName', 'HealthMailbox0c2d'],
    ['objectGUID', guid()],
  ]),
)
await emit(
  record(`CN=WS0001,CN=Computers,${BASE}`, [
    ['objectClass', ['top', 'person', 'organizationalPerson', 'user', 'computer']],
    ['cn', 'WS0001'],
    ['sAMAccountName', 'WS0001$'],
    ['objectGUID', guid()],
  ]),
)

const usedSam = new Set()
const usedCn = new Set()
const usedMail = new Set()
const deptMembers = new Map(DEPARTMENTS.map((d) => [d, []]))
const allUsers = []
const secondaries = []

for (let i = 0; i < users; i++) {
  const given = pick(GIVEN)
  const sn = pick(SURNAME)
  let cn = `${given} ${sn}`
  if (usedCn.has(cn)) cn = `${cn} ${i}`
  usedCn.add(cn)
  let sam = `${ascii(given).slice(0, 1)}${ascii(sn)}`.toLowerCase().slice(0, 16)
  if (usedSam.has(sam)) sam = `${sam.slice(0, 14)}${i % 1000}`.slice(0, 20)
  while (usedSam.has(sam)) sam = `${sam.slice(0, 12)}${int(0, 99999)}`
  usedSam.add(sam)
  const dept = DEPARTMENTS[i % DEPARTMENTS.length]
  const dn = `CN=${escapeRdn(cn)},OU=${dept},OU=People,${BASE}`
  let mailLocal = `${ascii(given)}.${ascii(sn)}`.toLowerCase()
  if (usedMail.has(mailLocal)) mailLocal = `${mailLocal}.${i}`
  usedMail.add(mailLocal)
  const mail = `${mailLocal}@${DOMAIN}`
  // UPN = primary address, as Microsoft recommends; the `mismatch` problem breaks that
  let upn = mail
  let mailValue = mail
  let displayName = `${given} ${sn}`
  let nickname = sam
  const proxies = [`SMTP:${mail}`, `smtp:${sam}@${DOMAIN}`]
  const extra = int(minProxies, maxProxies) - 2
  for (let k = 0; k < extra; k++) {
    proxies.push(
      k === 0
        ? `smtp:${sam}@contoso.mail.onmicrosoft.com`
        : k === 1
          ? `X500:/o=Contoso/ou=Exchange Administrative Group/cn=Recipients/cn=${sam}`
          : `smtp:${sam}.${k}@${DOMAIN}`,
    )
  }
  let samValue = sam
  let consistencyGuid
  // a realistic sprinkling of problems
  if (random() < problemRate) {
    const kind = pick([
      'upn-space',
      'upn-local',
      'upn-diacritic',
      'mail-space',
      'dup-secondary',
      'two-primaries',
      'nickname-dot',
      'display-trailing',
      'upn-long',
      'mismatch',
      'sam-long',
      'proxy-bad-char',
    ])
    plant(kind)
    switch (kind) {
      case 'upn-space':
        upn = `${ascii(given).toLowerCase()} ${ascii(sn).toLowerCase()}@${DOMAIN}`
        break
      case 'upn-local':
        upn = `${sam}@contoso.local`
        break
      case 'upn-diacritic':
        upn = `${given.toLowerCase()}.${sn.toLowerCase().replace(/[^\p{L}]/gu, '')}${i}@${DOMAIN}`
        break
      case 'mail-space':
        mailValue = `${mail.split('@')[0]} @${DOMAIN}`
        break
      case 'dup-secondary':
        if (secondaries.length > 0) proxies.push(`smtp:${pick(secondaries)}`)
        else plant('dup-secondary-skipped')
        break
      case 'two-primaries':
        proxies.push(`SMTP:${sam}.primary@${DOMAIN}`)
        break
      case 'nickname-dot':
        nickname = `.${sam}`
        break
      case 'display-trailing':
        displayName = `${displayName} `
        break
      case 'upn-long':
        upn = `${sam}.${'x'.repeat(70)}@${DOMAIN}`
        break
      case 'mismatch':
        upn = `${sam}@${DOMAIN}`
        break
      case 'sam-long':
        upn = `${sam}@corp.contoso.local`
        samValue = `${sam}-${'a'.repeat(20)}`.slice(0, 24)
        break
      case 'proxy-bad-char':
        proxies.push(`smtp:${sam} (old)@${DOMAIN}`)
        break
    }
  }
  if (random() < 0.1) consistencyGuid = guid()
  secondaries.push(`${sam}@${DOMAIN}`)
  const members = deptMembers.get(dept)
  const manager = members.length > 0 ? members[Math.floor(members.length / 7)] : undefined
  members.push(dn)
  allUsers.push(dn)
  await emit(
    record(dn, [
      ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
      ['cn', cn],
      ['sAMAccountName', samValue],
      ['userPrincipalName', upn],
      ['givenName', given],
      ['sn', sn],
      ['displayName', displayName],
      ['mail', mailValue],
      ['proxyAddresses', proxies],
      ['mailNickname', nickname],
      ['department', dept],
      ['title', pick(TITLES)],
      ['company', 'Contoso'],
      ['telephoneNumber', `+1 425 555 ${String(1000 + (i % 9000)).padStart(4, '0')}`],
      ['mobile', random() < 0.6 ? `+1 206 555 ${String(int(1000, 9999))}` : undefined],
      ['employeeID', String(100000 + i)],
      ['manager', manager],
      ['userAccountControl', random() < 0.03 ? '514' : '512'],
      ['objectGUID', guid()],
      ['mS-DS-ConsistencyGuid', consistencyGuid],
    ]),
  )
}

// a replication conflict copy of the first user: carries its addresses, must not make them duplicates
{
  const first = allUsers[0]
  const cnf = first.replace(/^CN=([^,]+),/, 'CN=$1\\0ACNF:8c4b1f0e-2f6b-4a3e-9d55-0a1b2c3d4e5f,')
  plant('conflict-object')
  await emit(
    record(cnf, [
      ['objectClass', ['top', 'person', 'organizationalPerson', 'user']],
      ['cn', 'conflict copy'],
      ['sAMAccountName', '$DUPLICATE-1f4'],
      ['objectGUID', guid()],
    ]),
  )
}

// groups: one per department, teams, a nested all-staff group, mail-enabled lists
for (const d of DEPARTMENTS) {
  await emit(
    record(`CN=${d},OU=Groups,${BASE}`, [
      ['objectClass', ['top', 'group']],
      ['cn', d],
      ['sAMAccountName', `grp-${d.toLowerCase()}`],
      ['displayName', `${d} department`],
      ['mail', `${d.toLowerCase()}@${DOMAIN}`],
      ['proxyAddresses', [`SMTP:${d.toLowerCase()}@${DOMAIN}`]],
      ['groupType', '-2147483646'],
      ['member', deptMembers.get(d)],
      ['objectGUID', guid()],
    ]),
  )
}
await emit(
  record(`CN=All Staff,OU=Groups,${BASE}`, [
    ['objectClass', ['top', 'group']],
    ['cn', 'All Staff'],
    ['sAMAccountName', 'grp-all-staff'],
    ['displayName', 'All Staff'],
    ['mail', `all@${DOMAIN}`],
    ['groupType', '-2147483646'],
    ['member', DEPARTMENTS.map((d) => `CN=${d},OU=Groups,${BASE}`)],
    ['objectGUID', guid()],
  ]),
)
for (let t = 0; t < teams; t++) {
  const size = int(3, 25)
  const start = int(0, Math.max(0, allUsers.length - size))
  const noDisplay = random() < problemRate * 3
  if (noDisplay) plant('group-no-displayname')
  await emit(
    record(`CN=Team ${String(t + 1).padStart(4, '0')},OU=Groups,${BASE}`, [
      ['objectClass', ['top', 'group']],
      ['cn', `Team ${String(t + 1).padStart(4, '0')}`],
      ['sAMAccountName', `team-${t + 1}`],
      ['displayName', noDisplay ? undefined : `Team ${t + 1}`],
      ['groupType', '-2147483646'],
      ['member', allUsers.slice(start, start + size)],
      ['objectGUID', guid()],
    ]),
  )
}

// contacts at partners
for (let c = 0; c < contacts; c++) {
  const given = pick(GIVEN)
  const sn = pick(SURNAME)
  const partner = pick(PARTNERS)
  let mail = `${ascii(given)}.${ascii(sn)}.${c}@${partner}`.toLowerCase()
  if (random() < problemRate) {
    plant('contact-bad-domain')
    mail = mail.replace(/@.*/, '@partner.lan')
  }
  await emit(
    record(`CN=${escapeRdn(`${given} ${sn} (${partner})`)} ${c},OU=Contacts,${BASE}`, [
      ['objectClass', ['top', 'person', 'organizationalPerson', 'contact']],
      ['cn', `${given} ${sn} (${partner}) ${c}`],
      ['givenName', given],
      ['sn', sn],
      ['displayName', `${given} ${sn} (${partner})`],
      ['mail', mail],
      ['proxyAddresses', [`SMTP:${mail}`]],
      ['targetAddress', `SMTP:${mail}`],
      ['mailNickname', `contact${c}`],
      ['objectGUID', guid()],
    ]),
  )
}

out.write(buffered)
if (out !== process.stdout) out.end()
const summary = Object.entries(planted)
  .map(([k, v]) => `${k} ${v}`)
  .join(', ')
process.stderr.write(
  `generated ${written.toLocaleString('en-US')} entries (${users.toLocaleString('en-US')} users, ${(DEPARTMENTS.length + 1 + teams).toLocaleString('en-US')} groups, ${contacts.toLocaleString('en-US')} contacts); planted: ${summary}\n`,
)
