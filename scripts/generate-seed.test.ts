/**
 * `npm run seed:generate` is deterministic and the committed `supabase/seed.sql` is its output,
 * so nobody edits the seed by hand. Each generation runs in a process of its own.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { MINNESOTA_PRIZE_STRUCTURES } from './market-sim/prize-structures.ts'
import { repoRoot, supabaseDir } from './local-stack/config.ts'
import { SEED_STATES, seedGames } from './seed/seed-sql.ts'

const workDir = mkdtempSync(join(tmpdir(), 'seed-generate-'))

function generateInto(name: string): Buffer {
  const out = join(workDir, name)
  execFileSync(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      'scripts/generate-seed.ts',
      '--out',
      out,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
  )
  return readFileSync(out)
}

afterAll(() => rmSync(workDir, { recursive: true, force: true }))

describe('npm run seed:generate', () => {
  const first = generateInto('first.sql')
  const second = generateInto('second.sql')

  it('writes the same bytes every time', () => {
    expect(second.equals(first)).toBe(true)
  })

  it('is what supabase/seed.sql holds', () => {
    const committed = readFileSync(join(supabaseDir, 'seed.sql'))
    expect(committed.equals(first), 'supabase/seed.sql is stale: run npm run seed:generate').toBe(
      true,
    )
  })

  it('writes dates only relative to the load day and keeps the file small', () => {
    const text = first.toString('utf8')
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}'/)
    expect(text).toContain("(now() at time zone 'America/Chicago')::date")
    // Twelve states, Minnesota's 90 days and the others' 35 days of snapshots: ~600 KB.
    expect(first.length).toBeLessThan(700_000)
  })
})

describe('seed games', () => {
  it('cover every seeded state with games on sale, Minnesota with at least 30', () => {
    const active = seedGames().filter((game) => game.rows.isActive)
    const states = [...new Set(active.map((game) => game.rows.facts.state))].sort()
    expect(states).toEqual([...SEED_STATES].sort())
    expect(states.length).toBeGreaterThanOrEqual(12)
    expect(active.filter((game) => game.rows.facts.state === 'MN').length)
      .toBeGreaterThanOrEqual(30)
  })

  it('print the real table of the Minnesota game whose number they carry', () => {
    const named = seedGames().filter((game) => !game.rows.facts.gameNumber.startsWith('SIM-'))
    expect(named.length).toBeGreaterThanOrEqual(20)
    for (const { rows } of named) {
      const real = MINNESOTA_PRIZE_STRUCTURES.find((s) => s.gameNumber === rows.facts.gameNumber)
      expect(real, rows.facts.gameNumber).toBeDefined()
      expect(rows.facts.gameName).toBe(real?.gameName)
      expect(rows.facts.ticketPrice).toBe(real?.ticketPrice)
      expect(rows.tiers.map((tier) => [tier.prizeAmount, tier.totalPrizes])).toEqual(
        real?.tiers.map((tier) => [tier.prizeAmount, tier.prizesPrinted]),
      )
    }
  })
})
