// Attribute values in the store: JSON arrays where text stays text and bytes are
// tagged base64, so that a value comes back exactly as it went in.
import type { AttrValue } from '../core/model.js'

type Stored = string | { b64: string }

export function encodeValues(values: readonly AttrValue[] | null): string | null {
  if (values === null) return null
  return JSON.stringify(
    values.map((v): Stored => (typeof v === 'string' ? v : { b64: Buffer.from(v).toString('base64') })),
  )
}

export function decodeValues(text: string | null): AttrValue[] | null {
  if (text === null) return null
  return (JSON.parse(text) as Stored[]).map((v) =>
    typeof v === 'string' ? v : new Uint8Array(Buffer.from(v.b64, 'base64')),
  )
}
