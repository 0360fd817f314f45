// The directory object as every source yields it: a DN and its attributes, names
// folded to lower case, values as text or (for binary attributes) bytes. Kept small
// and plain so that a scan can stream a million of them.

export type AttrValue = string | Uint8Array

export interface DirObject {
  readonly dn: string
  /** attribute name in lower case (options such as `;binary` removed) → values in stored order */
  readonly attrs: ReadonlyMap<string, readonly AttrValue[]>
}

/** Attributes whose values are bytes, not text, in AD and OpenLDAP. */
export const BINARY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'objectguid',
  'objectsid',
  'ms-ds-consistencyguid',
  'thumbnailphoto',
  'jpegphoto',
  'usercertificate',
  'usersmimecertificate',
  'cacertificate',
  'msexchmailboxguid',
  'sidhistory',
])

export const isBinaryAttribute = (name: string): boolean => BINARY_ATTRIBUTES.has(name.toLowerCase())

const decoder = new TextDecoder('utf-8')

/** Bytes as text when they are UTF-8, else the bytes themselves (for display and LDIF). */
export function readable(bytes: Uint8Array): AttrValue {
  const s = Buffer.from(bytes).toString('utf8')
  return Buffer.from(s, 'utf8').equals(bytes) ? s : bytes
}

export const valueToString = (v: AttrValue): string => (typeof v === 'string' ? v : decoder.decode(v))

/** All values of an attribute as text (binary values decoded as UTF-8). */
export function texts(obj: DirObject, name: string): string[] {
  const vs = obj.attrs.get(name)
  if (!vs) return []
  return vs.map(valueToString)
}

/** The first non-empty text value, or undefined: an empty value counts as missing. */
export function text(obj: DirObject, name: string): string | undefined {
  const vs = obj.attrs.get(name)
  if (!vs) return undefined
  for (const v of vs) {
    const s = valueToString(v)
    if (s !== '') return s
  }
  return undefined
}

export function bytes(obj: DirObject, name: string): Uint8Array | undefined {
  const v = obj.attrs.get(name)?.[0]
  if (v === undefined) return undefined
  return typeof v === 'string' ? new TextEncoder().encode(v) : v
}

/**
 * The anchor: base64 of mS-DS-ConsistencyGuid when set, else objectGUID (AD), else the
 * 16 bytes of entryUUID (OpenLDAP), else null. Never sAMAccountName or UPN: those are
 * renamed in real life.
 */
export function anchorOf(obj: DirObject): string | null {
  for (const name of ['ms-ds-consistencyguid', 'objectguid']) {
    const b = bytes(obj, name)
    if (b && b.length > 0) return Buffer.from(b).toString('base64')
  }
  const uuid = text(obj, 'entryuuid')
  if (uuid && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(uuid)) {
    return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64')
  }
  return null
}

/** Build a DirObject from a plain record (tests, fixtures). */
export function dirObject(dn: string, attrs: Record<string, AttrValue | AttrValue[]>): DirObject {
  const map = new Map<string, AttrValue[]>()
  for (const [k, v] of Object.entries(attrs)) {
    map.set(k.toLowerCase(), Array.isArray(v) ? v : [v])
  }
  return { dn, attrs: map }
}
