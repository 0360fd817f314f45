// The configuration file's shape (zod). Unknown keys are errors: a typo in a key name
// must not silently fall back to a default. Every key documents its default here and
// in docs/configuration.md.
import { z } from 'zod'
import { parseFilter } from '../core/filter.js'

function isFilter(filter: string): boolean {
  try {
    parseFilter(filter, 'source.scope.filter')
    return true
  } catch {
    return false
  }
}

const dn = z.string().min(1, 'expected a distinguished name such as "OU=Staff,DC=corp,DC=example,DC=com"')

export const tlsSchema = z.strictObject({
  /** PEM file with the CA that signed the directory's certificate; relative to the config file */
  caFile: z.string().min(1).optional(),
  /** false accepts any certificate: encrypts, but does not prove who answers. Never in production. */
  rejectUnauthorized: z.boolean().default(true),
  /** name to check the certificate against when the URL holds an IP address */
  servername: z.string().min(1).optional(),
})

export const scopeSchema = z.strictObject({
  include: z.array(dn).default([]),
  exclude: z.array(dn).default([]),
  filter: z
    .string()
    .min(1)
    .refine(isFilter, 'not a valid LDAP filter (expected RFC 4515 syntax such as "(objectClass=user)")')
    .default('(objectClass=*)'),
})

const ldapSource = z
  .strictObject({
    type: z.literal('ldap'),
    url: z
      .string()
      .regex(
        /^ldaps?:\/\/[^\s/]+\/?$/i,
        'expected a URL such as ldaps://dc1.corp.example.com:636 or ldap://host:389',
      ),
    startTLS: z.boolean().default(false),
    tls: tlsSchema.default({ rejectUnauthorized: true }),
    bindDN: z.string().min(1, 'expected the DN (or user@domain) to bind as'),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config syntax ${VAR}
    password: z.string().min(1, 'expected a password; use ${VAR} to take it from the environment'),
    /** "" is the whole forest, through the Global Catalog only */
    baseDN: z.union([dn, z.literal(''), z.array(dn).min(1)]),
    scope: scopeSchema.default({ include: [], exclude: [], filter: '(objectClass=*)' }),
    pageSize: z.number().int().min(1).max(5000).default(1000),
    timeoutSeconds: z.number().positive().default(120),
    /** allow simple binds on ldap:// without TLS (test labs only); writes still refuse it */
    allowInsecure: z.boolean().default(false),
  })
  .superRefine((s, ctx) => {
    if (s.baseDN === '' && !isGlobalCatalog(s.url))
      ctx.addIssue({
        code: 'custom',
        path: ['baseDN'],
        message:
          'an empty baseDN (the whole forest) needs the Global Catalog: port 3269 (ldaps://) or 3268 (with startTLS); a domain controller port needs a DN such as "DC=corp,DC=example,DC=com"',
      })
  })

/** The Global Catalog's ports: a read-only, forest-wide view of every domain. */
export const isGlobalCatalog = (url: string): boolean => /:(3268|3269)\/?$/.test(url)

const ldifSource = z.strictObject({
  type: z.literal('ldif'),
  path: z.string().min(1, 'expected the path of an LDIF file'),
  scope: scopeSchema.default({ include: [], exclude: [], filter: '(objectClass=*)' }),
})

export const sourceSchema = z.discriminatedUnion('type', [ldapSource, ldifSource], {
  error: (iss) => (iss.code === 'invalid_union' ? 'expected type: ldap or type: ldif' : undefined),
})

export const rulesSchema = z.strictObject({
  set: z.enum(['entra', 'google']).default('entra'),
  suffixMap: z.record(z.string().min(1), z.string().min(1)).default({}),
  defaultSuffix: z.string().min(1).optional(),
})

export const storeSchema = z.strictObject({
  /** SQLite file; relative to the config file */
  path: z.string().min(1).default('./idsync.db'),
})

export const fixSchema = z.strictObject({
  /** a batch with more changes than this needs --yes */
  maxChanges: z.number().int().min(1).default(500),
})

/** target path → source expression (docs/mapping.md); null drops a default mapping */
const mappingEntries = z.record(z.string().min(1), z.union([z.string(), z.boolean(), z.null()]))
export const mappingSchema = z.strictObject({
  users: mappingEntries.default({}),
  groups: mappingEntries.default({}),
})

export const rateSchema = z.strictObject({
  requestsPerSecond: z.number().positive().default(50),
  concurrency: z.number().int().min(1).max(64).default(8),
})

const targetCommon = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"'),
  objects: z
    .array(z.enum(['users', 'groups', 'contacts']))
    .min(1)
    .default(['users', 'groups']),
  /** false: nested groups are flattened into their member users */
  nestedGroups: z.boolean().default(true),
  onDelete: z.enum(['disable', 'delete', 'disable-then-delete']).default('disable'),
  deleteAfterDays: z.number().int().min(0).default(30),
  match: z.enum(['anchor', 'anchor-then-userName', 'anchor-then-email']).default('anchor'),
  mapping: mappingSchema.default({ users: {}, groups: {} }),
}

const scimTarget = z.strictObject({
  ...targetCommon,
  type: z.literal('scim'),
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/i, 'expected the SCIM base URL, such as https://app.example.com/scim/v2'),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the message shows the config syntax ${VAR}
  token: z.string().min(1, 'expected the bearer token; use ${VAR} to take it from the environment'),
  rate: rateSchema.default({ requestsPerSecond: 50, concurrency: 8 }),
  timeoutSeconds: z.number().positive().default(30),
  /** members per PATCH (and in a group's POST): servers differ in what they take well */
  memberChunk: z.number().int().min(1).max(10_000).default(500),
  tls: z
    .strictObject({ caFile: z.string().min(1).optional(), rejectUnauthorized: z.boolean().default(true) })
    .default({ rejectUnauthorized: true }),
})

const previewTarget = z.strictObject({
  ...targetCommon,
  type: z.literal('preview'),
})

export const targetSchema = z.discriminatedUnion('type', [scimTarget, previewTarget], {
  error: (iss) => (iss.code === 'invalid_union' ? 'expected type: scim or type: preview' : undefined),
})

export const guardSchema = z.strictObject({
  maxDeletes: z.number().int().min(0).default(500),
  maxDeletePercent: z.number().min(0).max(100).default(10),
  maxDisables: z.number().int().min(0).default(500),
})

export const configSchema = z
  .strictObject({
    source: sourceSchema,
    rules: rulesSchema.default({ set: 'entra', suffixMap: {} }),
    store: storeSchema.default({ path: './idsync.db' }),
    fix: fixSchema.default({ maxChanges: 500 }),
    targets: z.array(targetSchema).default([]),
    guard: guardSchema.default({ maxDeletes: 500, maxDeletePercent: 10, maxDisables: 500 }),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>()
    c.targets.forEach((t, i) => {
      if (seen.has(t.name))
        ctx.addIssue({
          code: 'custom',
          path: ['targets', i, 'name'],
          message: `the target name "${t.name}" is used twice`,
        })
      seen.add(t.name)
    })
  })

export type Config = z.infer<typeof configSchema>
export type SourceConfig = z.infer<typeof sourceSchema>
export type LdapSourceConfig = z.infer<typeof ldapSource>
export type LdifSourceConfig = z.infer<typeof ldifSource>
export type ScopeConfig = z.infer<typeof scopeSchema>
export type TargetConfig = z.infer<typeof targetSchema>
export type ScimTargetConfig = z.infer<typeof scimTarget>
export type PreviewTargetConfig = z.infer<typeof previewTarget>
export type GuardConfig = z.infer<typeof guardSchema>
export type MappingConfig = z.infer<typeof mappingSchema>

/**
 * The schema that checks the value at `path` of the unvalidated config `data`: defaults,
 * optionals and pipes unwrapped, a discriminated union resolved by the data's `type`;
 * null where the path leaves the schema. For messages (the keys an object takes) and for
 * typing values taken from `${VAR}`.
 */
export function schemaAt(
  path: readonly PropertyKey[],
  data: unknown,
  root: z.ZodType = configSchema,
): z.ZodType | null {
  let next: z.ZodType | undefined = root
  let v = data
  for (let i = 0; next !== undefined; i++) {
    const s = unwrap(next, v)
    if (s === null || i === path.length) return s
    const key = path[i] as PropertyKey
    if (s instanceof z.ZodObject) next = s.shape[String(key)] as z.ZodType | undefined
    else if (s instanceof z.ZodArray) next = s.element as z.ZodType
    else if (s instanceof z.ZodRecord) next = s.valueType as z.ZodType
    else return null
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined
  }
  return null
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType | null {
  let s = schema
  for (;;) {
    if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable
    )
      s = s.unwrap() as z.ZodType
    else if (s instanceof z.ZodPipe) s = s.out as z.ZodType
    else if (s instanceof z.ZodDiscriminatedUnion) {
      const disc = s.def.discriminator
      const want =
        value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[disc] : undefined
      const option = s.options.find((o) => {
        const lit = o instanceof z.ZodObject ? o.shape[disc] : undefined
        return lit instanceof z.ZodLiteral && lit.values.has(want as z.core.util.Literal)
      })
      if (option === undefined) return null
      s = option as z.ZodType
    } else return s
  }
}

/** The keys the object at `path` takes, or null when there is no object schema there. */
export function keysAt(path: readonly PropertyKey[], data: unknown): string[] | null {
  const s = schemaAt(path, data)
  return s instanceof z.ZodObject ? Object.keys(s.shape) : null
}
