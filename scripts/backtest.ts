/**
 * `npm run backtest -- --from D1 --to D2 [--state S] [--write] [--json]`
 *
 * Rescores every day from D1 to D2 (YYYY-MM-DD, both included, at most 366 days, within the
 * function's date window) as the function would have on that day, with the active model, and
 * reports how the estimates moved. A dry run unless `--write`, which stores each day as a
 * `backfill` run. Database: SUPABASE_DB_URL, else the local stack (started if it is not running,
 * the committed default model registered if no model is active; an active model is never
 * changed). Progress on stderr.
 */
import postgres from 'postgres'
import { start as startStack, stop as stopStack } from './db.ts'
import { dbUrl } from './local-stack/config.ts'
import { isRunning } from './local-stack/postgres.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { ensureLocalModel } from './models/default-model.ts'
import { activeVersion } from './models/registry.ts'
import { daysOf, runBacktest } from './backtest/backtest.ts'
import { nodeModelSource } from './backtest/model-source.ts'
import { movementReport } from './backtest/movement.ts'
import { reportText } from './backtest/report.ts'
import { parseScoringRequest } from '../supabase/functions/_shared/http/request.ts'

const MAX_DAYS = 366

/** A date the function would accept, or an error naming the option. */
function dateOption(name: string, value: string | undefined): string {
  if (value === undefined) throw new Error(`--${name} is required (YYYY-MM-DD)`)
  try {
    return parseScoringRequest(JSON.stringify({ prediction_date: value })).predictionDate
  } catch (error) {
    throw new Error(`--${name}: ${(error as Error).message.replace('Invalid field ', '')}`)
  }
}

async function main(args: string[]): Promise<void> {
  const options = parseCli(args, {
    from: { type: 'string' },
    to: { type: 'string' },
    state: { type: 'string' },
    write: { type: 'boolean' },
    json: { type: 'boolean' },
  })
  const from = dateOption('from', options.from)
  const to = dateOption('to', options.to)
  if (from > to) throw new Error(`--from ${from} is after --to ${to}`)
  const span = daysOf(from, to).length
  if (span > MAX_DAYS) throw new Error(`${span} days from ${from} to ${to}: at most ${MAX_DAYS}`)
  if (options.state !== undefined && !/^[A-Z]{2}$/.test(options.state)) {
    throw new Error(`--state must be a two-letter state code like MN, not ${options.state}`)
  }
  const hosted = process.env.SUPABASE_DB_URL
  const startedStack = hosted === undefined && !isRunning()
  if (startedStack) await startStack()
  const sql = postgres(hosted ?? dbUrl, { max: 4, onnotice: () => {} })
  try {
    // The local stack's default model, only when none is active: a backtest changes no model.
    if (hosted === undefined && (await activeVersion(sql)) === null) await ensureLocalModel(sql)
    const days = await runBacktest(sql, {
      from,
      to,
      states: options.state === undefined ? null : [options.state],
      write: options.write ?? false,
      historyDays: 35,
      models: nodeModelSource(process.env),
      onDay: (day) =>
        progress(`${day.date}: scored ${day.scores.size}, skipped ${day.skipped.length}`),
    })
    const report = movementReport(days)
    console.log(
      options.json ? JSON.stringify(report, null, 2) : reportText(report, options.write ?? false),
    )
  } finally {
    await sql.end()
    if (startedStack) stopStack()
  }
}

await runMain(import.meta.url, main)
