// SCIM statuses and scimTypes as TargetError types, and messages without the token or values.
import { describe, expect, it } from 'vitest'
import { errorType, networkError, responseError } from '../../../src/connectors/scim/errors.js'

const ctx = { target: 'app', what: 'update user 42' }

describe('SCIM errors', () => {
  it.each([
    [409, null, 'duplicate'],
    [400, 'uniqueness', 'duplicate'],
    [400, 'invalidValue', 'invalid'],
    [400, null, 'invalid'],
    [412, null, 'invalid'],
    [404, null, 'not-found'],
    [401, null, 'permission'],
    [403, null, 'permission'],
    [429, null, 'throttled'],
    [500, null, 'server'],
    [503, null, 'server'],
  ] as const)('HTTP %i with scimType %s is %s', (status, scimType, type) => {
    expect(errorType(status, scimType)).toBe(type)
  })

  it("names the operation and the object, keeps the target's detail apart", () => {
    const e = responseError(ctx, 409, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '409',
      scimType: 'uniqueness',
      detail: "userName 'alice@corp.example.com' is already in use",
    })
    expect(e).toMatchObject({ type: 'duplicate', status: 409, code: 'ERR_TARGET' })
    expect(e.message).toBe(
      'scim target "app": update user 42 failed: HTTP 409, uniqueness (an object with the same unique value exists)',
    )
    expect(e.targetMessage).toBe("userName 'alice@corp.example.com' is already in use")
    expect(responseError(ctx, 502, '<html>Bad gateway</html>').targetMessage).toBeNull()
  })

  it('says why a request got no answer, without the URL or the token', () => {
    const cause = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
    })
    expect(networkError(ctx, cause, 30_000).message).toBe(
      'scim target "app": update user 42 failed: connection failed (ECONNREFUSED)',
    )
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect(networkError(ctx, timeout, 30_000)).toMatchObject({
      type: 'network',
      status: null,
      message: 'scim target "app": update user 42 failed: no answer within 30 s',
    })
  })
})
