/**
 * What a request asked for that matched nothing: a state with no game on sale on the run's date,
 * a game id that does not exist, or one of a state the request did not ask for. (A requested
 * game that exists but is not on sale that day is in the run, skipped with its reason.) The run
 * still answers 200 with what it scored; these warnings say what it could not (`warnings` in the
 * answer, each with a code and a message).
 */
import type { Sql } from 'postgres'
import { arrayLiteral } from './pg-array.ts'
import type { RunInputsSummary, RunScope } from './run-inputs.ts'

/** One thing the request named that the run did not cover. */
export interface ScopeWarning {
  code: 'no_games_in_state' | 'unknown_game_ids' | 'game_ids_not_in_run'
  message: string
  state?: string
  game_ids?: number[]
}

/**
 * The warnings of a run whose read found `found`. Without game ids missing from the read this
 * asks nothing of the database; with some, one query tells unknown ids from the others.
 */
export async function scopeWarnings(
  sql: Sql,
  run: { scope: RunScope; predictionDate: string; found: RunInputsSummary },
): Promise<ScopeWarning[]> {
  const { scope, predictionDate, found } = run
  const warnings: ScopeWarning[] = []
  for (const state of scope.states ?? []) {
    if (found.states.has(state)) continue
    warnings.push({
      code: 'no_games_in_state',
      state,
      message: scope.gameIds === null
        ? `No game of state ${state} is on sale on ${predictionDate}`
        : `None of the requested games is a game of state ${state} on sale on ${predictionDate}`,
    })
  }
  const missing = (scope.gameIds ?? []).filter((id) => !found.gameIds.has(id))
  if (missing.length === 0) return warnings
  const rows = await sql<{ id: string }[]>`
    select id from public.games where id = any(${arrayLiteral(missing)}::bigint[])`
  const known = new Set(rows.map((row) => Number(row.id)))
  const unknown = missing.filter((id) => !known.has(id))
  const elsewhere = missing.filter((id) => known.has(id))
  if (unknown.length > 0) {
    warnings.push({
      code: 'unknown_game_ids',
      game_ids: unknown,
      message: `No game has the id ${unknown.join(', ')}`,
    })
  }
  if (elsewhere.length > 0) {
    warnings.push({
      code: 'game_ids_not_in_run',
      game_ids: elsewhere,
      message: `Game ${elsewhere.join(', ')} ${elsewhere.length === 1 ? 'is' : 'are'} not ` +
        `of the requested state${(scope.states ?? []).length === 1 ? '' : 's'} ${
          (scope.states ?? []).join(', ')
        }`,
    })
  }
  return warnings
}
