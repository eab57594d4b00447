import { describe, expect, it } from 'vitest'
import { authorize, constantTimeEquals, presentedKeys } from './auth.ts'
import { ScoringError } from './errors.ts'

const secrets = ['service-role-jwt', 'sb_secret_abc']

async function status(headers: Record<string, string>): Promise<number> {
  try {
    await authorize(new Headers(headers), secrets)
    return 200
  } catch (error) {
    if (error instanceof ScoringError) return error.status
    throw error
  }
}

describe('authorize', () => {
  it.each([
    [{ authorization: 'Bearer service-role-jwt' }, 200],
    [{ authorization: 'bearer sb_secret_abc' }, 200],
    [{ apikey: 'sb_secret_abc' }, 200],
    [{}, 401],
    [{ authorization: 'Bearer sb_publishable_xyz' }, 401],
    [{ apikey: 'anon-key' }, 401],
    [{ authorization: 'Bearer service-role-jwt-but-longer' }, 401],
    [{ authorization: 'Basic service-role-jwt' }, 401],
    [{ authorization: 'Bearer user-jwt', apikey: 'sb_secret_abc' }, 200],
    [{ authorization: 'Bearer service-role-jwt', apikey: 'anon-key' }, 200],
    [{ authorization: 'Bearer user-jwt', apikey: 'anon-key' }, 401],
  ])('headers %o give %i', async (headers, expected) => {
    expect(await status(headers)).toBe(expected)
  })

  it('reads the bearer token and the apikey header, each once', () => {
    const both = new Headers({ authorization: 'Bearer user-jwt', apikey: 'sb_secret_abc' })
    expect(presentedKeys(both)).toEqual(['user-jwt', 'sb_secret_abc'])
    const same = new Headers({ authorization: 'Bearer sb_secret_abc', apikey: 'sb_secret_abc' })
    expect(presentedKeys(same)).toEqual(['sb_secret_abc'])
  })
})

describe('constantTimeEquals', () => {
  it.each([
    ['a', 'a', true],
    ['a', 'b', false],
    ['abc', 'ab', false],
    ['', '', true],
  ])('%s vs %s is %s', async (a, b, expected) => {
    expect(await constantTimeEquals(a, b)).toBe(expected)
  })
})
