import type { Sql } from 'postgres'
import { describe, expect, it } from 'vitest'
import { forEachRunInput, type RunInputsQuery } from './run-inputs.ts'
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
  tiers: [[30_000, 65_000, 6, 4]],
  snapshots: [['2026-11-26', { '30000': 4 }, 4]],
}
// A NaN numeric reaches the read as the JSON string "NaN".
const invalidRow = { ...validRow, id: '8', ticket_price: 'NaN' }

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
  it('hands valid rows over and reports an invalid one with its game id and field', async () => {
    const visited: GameObservation[] = []
    const invalid: Array<[number, string]> = []
    await forEachRunInput(
      fakeSql([validRow, invalidRow]),
      { ...query, onInvalidRow: (gameId, message) => invalid.push([gameId, message]) },
      (observation) => visited.push(observation),
    )
    expect(visited.map((observation) => observation.game.id)).toEqual([7])
    expect(visited[0]?.tiers[0]).toEqual({
      prizeAmount: 30_000,
      odds: 65_000,
      totalPrizes: 6,
      remainingPrizes: 4,
    })
    expect(invalid).toHaveLength(1)
    expect(invalid[0]?.[0]).toBe(8)
    expect(invalid[0]?.[1]).toMatch(/^Cannot score the game: its data is invalid \(ticket_price: /)
  })

  it('without a handler, an invalid row fails the read', async () => {
    await expect(forEachRunInput(fakeSql([validRow, invalidRow]), query, () => {})).rejects
      .toThrow(/ticket_price/)
  })
})
