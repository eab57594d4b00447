import { describe, expect, it } from 'vitest'
import { assertRequestTokenValid, requestTokenOf } from './request-token.ts'

const token = '6f1c2b8e-51a4-4b0f-9c8e-2f3a4b5c6d7e'

describe('X-Scoring-Request-Token', () => {
  it.each([
    ['absent', {}, null],
    ['a UUID', { 'X-Scoring-Request-Token': token }, token],
    [
      'a UUID in capitals, with spaces',
      { 'x-scoring-request-token': ` ${token.toUpperCase()} ` },
      token,
    ],
    ['not a UUID', { 'X-Scoring-Request-Token': 'abc' }, null],
  ])('%s gives %s', (_name, headers, expected) => {
    expect(requestTokenOf(new Headers(headers))).toBe(expected)
  })

  it('refuses a header that is not a UUID with 400, and accepts none or a UUID', () => {
    expect(() => assertRequestTokenValid(new Headers({ 'X-Scoring-Request-Token': 'abc' })))
      .toThrow(expect.objectContaining({ status: 400, code: 'invalid_request' }))
    expect(() => assertRequestTokenValid(new Headers())).not.toThrow()
    expect(() => assertRequestTokenValid(new Headers({ 'X-Scoring-Request-Token': token })))
      .not.toThrow()
  })
})
