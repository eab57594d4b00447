import type { Sql } from 'postgres'
import { describe, expect, it } from 'vitest'
import { dateSkip, forEachRunInput, type GameRow, type RunInputsQuery } from './run-inputs.ts'
import type { SkippedGame } from '../scoring/scoring-pipeline.ts'
import type { GameObservation } from '../scoring/types.ts'

/** Rows as the scorer's read returns them (the SQL is tested against Postgres in tests/). */
const validRow = {
  id: '7',
  state: 'MN',
  game_number: '2068',
  game_name: 'Polar Wonderland',
  ticket_price: 3,
  overall_odds: 3.64,
  tickets_printed: null,
  launch_date: '2026-09-01',
  end_date: null,
  is_active: true,
  counts_known: true,
  publishes_counts: true,
  tiers: [[30_000, 65_000, 6, 4]],
  snapshots: [['2026-11-26', { '30000': 4 }, 4]],
}
// A NaN numeric reaches the read as the JSON string "NaN".
const invalidRow = { ...validRow, id: '8', ticket_price: 'NaN' }
const futureRow = { ...validRow, id: '9', state: 'IA', launch_date: '2026-12-01' }

/** Stands in for the postgres.js tag: every query streams `rows`. */
function fakeSql(rows: unknown[]): Sql {
  const tag = () => ({
    forEach: (visit: (row: unknown) => void) => {
      for (const row of rows) visit(row)
      return Promise.resolve()
    },
  })
  return tag as unknown as Sql
}

const query: RunInputsQuery = {
  scope: { states: ['MN'], gameIds: null },
  asOfDate: '2026-11-26',
  historyDays: 35,
}

describe('forEachRunInput', () => {
  it('hands valid rows over, skips invalid rows and games not on sale, with reasons', async () => {
    const visited: GameObservation[] = []
    const skipped: SkippedGame[] = []
    const found = await forEachRunInput(
      fakeSql([validRow, invalidRow, futureRow]),
      { ...query, onSkip: (game) => skipped.push(game) },
      (observation) => visited.push(observation),
    )
    expect(visited.map((observation) => observation.game.id)).toEqual([7])
    expect(visited[0]?.tiers[0]).toEqual({
      prizeAmount: 30_000,
      odds: 65_000,
      totalPrizes: 6,
      remainingPrizes: 4,
    })
    expect(skipped.map((game) => [game.game_id, game.reason])).toEqual([
      [8, 'invalid_row'],
      [9, 'not_launched'],
    ])
    expect(skipped[0]?.message).toMatch(
      /^Cannot score the game: its data is invalid \(ticket_price: /,
    )
    expect(found).toEqual({ states: new Set(['MN', 'IA']), gameIds: new Set([7, 8, 9]) })
  })

  it('without a handler, an invalid row fails the read', async () => {
    await expect(forEachRunInput(fakeSql([validRow, invalidRow]), query, () => {})).rejects
      .toThrow(/ticket_price/)
  })
})

describe('dateSkip', () => {
  const row = (changes: Partial<GameRow>): GameRow => ({
    id: 5,
    state: 'MN',
    game_number: '1',
    game_name: 'G',
    ticket_price: 5,
    overall_odds: 3.5,
    tickets_printed: null,
    launch_date: '2026-10-01',
    end_date: null,
    is_active: true,
    counts_known: true,
    publishes_counts: true,
    tiers: [],
    snapshots: [],
    ...changes,
  })
  it.each([
    ['on sale', {}, null],
    ['launched that very day', { launch_date: '2026-11-26' }, null],
    ['on its last day on sale', { end_date: '2026-11-26' }, null],
    ['with no launch date known', { launch_date: null }, null],
    ['not launched yet', { launch_date: '2026-11-27' }, 'not_launched'],
    ['after its last day on sale', { end_date: '2026-11-25' }, 'ended'],
    ['inactive, on its last day on sale', { is_active: false, end_date: '2026-11-26' }, null],
    ['inactive with no end date', { is_active: false }, 'ended'],
    ['with no counts published by then', { counts_known: false }, 'no_counts_on_date'],
    [
      'publishing no counts at all (nothing to know)',
      { counts_known: false, publishes_counts: false },
      null,
    ],
  ])('a game %s: %s', (_case, changes, reason) => {
    expect(dateSkip(row(changes), '2026-11-26')?.reason ?? null).toBe(reason)
  })

  it('names the dates in its messages', () => {
    expect(dateSkip(row({ launch_date: '2026-12-01' }), '2026-11-26')?.message).toBe(
      'Not on sale on 2026-11-26: the game went on sale on 2026-12-01',
    )
    expect(dateSkip(row({ end_date: '2026-11-02' }), '2026-11-26')?.message).toBe(
      'Not on sale on 2026-11-26: its last day on sale was 2026-11-02',
    )
  })
})
