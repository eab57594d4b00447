/** Prints a run's predictions as a ranked table per state. */
import type { Sql } from 'postgres'

interface RankedRow {
  state: string
  game_number: string
  game_name: string
  ticket_price: number
  ai_score: number
  expected_return: number
  expected_return_low: number
  expected_return_high: number
  win_probability: number
  recommendation: string
  prediction_date: string
}

function cents(value: number): string {
  return `${(value * 100).toFixed(0)}¢`
}

function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text
  return align === 'left' ? cut.padEnd(width) : cut.padStart(width)
}

/** Ranked predictions of one run, best expected return first, one table per state. */
export async function printRankedPredictions(
  sql: Sql,
  options: { runId: string; skipped: Array<{ game_id: number; reason: string }> },
): Promise<void> {
  const rows = await sql<RankedRow[]>`
    select g.state, g.game_number, g.game_name, g.ticket_price::float8 as ticket_price,
      p.ai_score, p.expected_return, p.expected_return_low, p.expected_return_high,
      p.win_probability, p.recommendation::text as recommendation,
      p.prediction_date::text as prediction_date
    from public.predictions p
    join public.games g on g.id = p.game_id
    where p.run_id = ${options.runId}
    order by g.state, p.expected_return desc, g.game_name`
  const states = [...new Set(rows.map((row) => row.state))]
  for (const state of states) {
    const stateRows = rows.filter((row) => row.state === state)
    console.log(
      `\n${state} — ${
        stateRows[0]?.prediction_date
      }: ${stateRows.length} games, best expected return per $1 first`,
    )
    console.log(
      `${pad('#', 3, 'right')}  ${pad('game', 32)} ${pad('price', 5, 'right')} ${
        pad('score', 5, 'right')
      }  ` +
        `${pad('return per $1 (80% range)', 25)} ${pad('wins', 10, 'right')}  recommendation`,
    )
    stateRows.forEach((row, index) => {
      const range = `${cents(row.expected_return)} (${cents(row.expected_return_low)}–${
        cents(row.expected_return_high)
      })`
      console.log(
        `${pad(String(index + 1), 3, 'right')}  ${
          pad(`${row.game_name} #${row.game_number}`, 32)
        } ` +
          `${pad(`$${row.ticket_price}`, 5, 'right')} ${pad(String(row.ai_score), 5, 'right')}  ` +
          `${pad(range, 25)} ${
            pad(`1 in ${(1 / Math.max(row.win_probability, 1e-9)).toFixed(1)}`, 10, 'right')
          }  ${row.recommendation}`,
      )
    })
  }
  if (rows.length === 0) console.log('No predictions were written (no active games in scope).')
  for (const skipped of options.skipped) {
    console.log(`skipped game ${skipped.game_id}: ${skipped.reason}`)
  }
  console.log(
    '\nReturn per $1 is prize dollars back per dollar spent on a ticket bought today; below 100¢ is a loss on average.',
  )
}
