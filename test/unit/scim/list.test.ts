// Listing stops with an error, never with a short list, when a server pages wrongly.
import { describe, expect, it } from 'vitest'
import type { FetchFn } from '../../../src/connectors/scim/http.js'
import { ScimTarget } from '../../../src/connectors/scim/target.js'
import { TargetError } from '../../../src/connectors/types.js'

/** A fetch that answers every list request with pages(startIndex). */
function pagesOf(page: (startIndex: number) => unknown): FetchFn {
  return async (url) => {
    const start = Number(new URL(url).searchParams.get('startIndex'))
    const text = JSON.stringify(page(start))
    return { status: 200, headers: { get: () => null }, text: async () => text }
  }
}

async function listError(fetch: FetchFn): Promise<{ error: unknown; seen: number }> {
  const t = new ScimTarget({ name: 'pages', url: 'http://scim.invalid/v2', token: 't', fetch })
  let seen = 0
  try {
    for await (const _ of t.list('user')) seen++
    return { error: null, seen }
  } catch (error) {
    return { error, seen }
  }
}

const user = (id: string) => ({ id, userName: id })

describe('SCIM list paging', () => {
  it('reads pages by startIndex until totalResults', async () => {
    const { error, seen } = await listError(
      pagesOf((s) => ({
        totalResults: 5,
        startIndex: s,
        Resources: s === 1 ? [user('a'), user('b'), user('c')] : [user('d'), user('e')],
      })),
    )
    expect(error).toBeNull()
    expect(seen).toBe(5)
  })

  it.each([
    [
      'the same page again without startIndex',
      () => ({ totalResults: 4, Resources: [user('a'), user('b')] }),
      'the previous page again',
    ],
    [
      'an empty page before totalResults',
      (s: number) => ({ totalResults: 4, Resources: s === 1 ? [user('a')] : [] }),
      'an empty page at 2 of 4',
    ],
    ['a page without totalResults', () => ({ Resources: [user('a')] }), 'a page without totalResults'],
  ])('fails on %s', async (_, page, words) => {
    const { error } = await listError(pagesOf(page))
    expect(error).toBeInstanceOf(TargetError)
    expect((error as TargetError).type).toBe('server')
    expect((error as Error).message).toContain(words)
  })
})
