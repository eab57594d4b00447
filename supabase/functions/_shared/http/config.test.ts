import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, loadConfig, parseSecretKeys } from './config.ts'

const base = {
  SUPABASE_URL: 'http://127.0.0.1:54321',
  SUPABASE_DB_URL: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
}

describe('loadConfig', () => {
  it('collects every key that may rescore', () => {
    const config = loadConfig({
      ...base,
      SUPABASE_SERVICE_ROLE_KEY: 'legacy',
      SUPABASE_SECRET_KEYS: '{"default":"sb_secret_1"}',
    })
    expect(config.secretKeys.sort()).toEqual(['legacy', 'sb_secret_1'])
    expect(config.historyDays).toBe(35)
    expect(config.localModelRoot).toBeNull()
  })

  it('bounds runs and games in flight, leases runs and sets their deadline, by default or as set', () => {
    const defaults = loadConfig({ ...base, SUPABASE_SERVICE_ROLE_KEY: 'k' })
    expect(defaults).toMatchObject({
      maxRunsInFlight: 8,
      maxGamesInFlight: 6_000,
      runLeaseSeconds: 60,
      runDeadlineSeconds: 90,
    })
    const set = loadConfig({
      ...base,
      SUPABASE_SERVICE_ROLE_KEY: 'k',
      SCORER_MAX_RUNS_IN_FLIGHT: '3',
      SCORER_MAX_GAMES_IN_FLIGHT: '500',
      SCORER_RUN_LEASE_SECONDS: '9',
      SCORER_RUN_DEADLINE_SECONDS: '12',
    })
    expect(set).toMatchObject({
      maxRunsInFlight: 3,
      maxGamesInFlight: 500,
      runLeaseSeconds: 9,
      runDeadlineSeconds: 12,
    })
  })

  it.each([
    [{ SUPABASE_SERVICE_ROLE_KEY: 'k' }, 'SUPABASE_URL'],
    [
      { ...base, SUPABASE_SERVICE_ROLE_KEY: 'k', SCORER_MAX_RUNS_IN_FLIGHT: '0' },
      'SCORER_MAX_RUNS_IN_FLIGHT',
    ],
    [
      { ...base, SUPABASE_SERVICE_ROLE_KEY: 'k', SCORER_RUN_LEASE_SECONDS: '1' },
      'SCORER_RUN_LEASE_SECONDS',
    ],
    [
      { ...base, SUPABASE_SERVICE_ROLE_KEY: 'k', SCORER_RUN_DEADLINE_SECONDS: '0' },
      'SCORER_RUN_DEADLINE_SECONDS',
    ],
    [{ ...base, SUPABASE_DB_URL: 'mysql://x' }, 'SUPABASE_DB_URL'],
    [base, 'SUPABASE_SERVICE_ROLE_KEY'],
    [{ ...base, SUPABASE_SECRET_KEYS: '{bad json' }, 'SUPABASE_SECRET_KEYS'],
  ])('fails naming the bad key (%o)', (env, key) => {
    expect(() => loadConfig(env)).toThrow(key)
  })
})

describe('parseSecretKeys', () => {
  it.each([
    ['{"default":"a","ci":"b"}', ['a', 'b']],
    ['["a","b"]', ['a', 'b']],
    ['a, b', ['a', 'b']],
    [undefined, []],
  ])('%s gives %o', (raw, keys) => {
    expect(parseSecretKeys(raw)).toEqual(keys)
  })
})

describe('the documented settings', () => {
  const repoFile = (name: string) =>
    readFileSync(new URL(`../../../../${name}`, import.meta.url), 'utf8')

  it.each(['README.md', '.env.local.example'])(
    '%s names every setting the scorer reads',
    (file) => {
      const text = repoFile(file)
      for (const key of [...CONFIG_KEYS, 'SCORER_LOCAL_PORT']) expect(text).toContain(key)
    },
  )

  it('.env.local.example says which settings are local-stack only, and only those', () => {
    const text = repoFile('.env.local.example')
    expect(text).not.toMatch(/the SCORER_\* ones are local-stack only/)
    const localOnly = text.split('\n').filter((line) => /^# Local stack only/.test(line))
    expect(localOnly).toHaveLength(2)
  })
})
