/**
 * `npm run score`: the main job on the local stack. Starts the stack if it is not running,
 * registers the committed default model if no model is active, serves the function, POSTs to it
 * with the local service key, prints today's predictions per state (best first), and stops
 * whatever it started.
 */
import postgres from 'postgres'
import { start as startStack, stop as stopStack } from './db.ts'
import { dbUrl, functionUrl, localServiceRoleKey } from './local-stack/config.ts'
import { startFunctionServer } from './local-stack/function-server.ts'
import { isRunning } from './local-stack/postgres.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { ensureLocalModel } from './models/default-model.ts'
import { progress } from './lib/progress.ts'
import { printRankedPredictions } from './lib/ranked-predictions.ts'
import { prepareFunctionAssets } from './prepare-function-assets.ts'

async function functionAnswers(): Promise<boolean> {
  try {
    const response = await fetch(functionUrl, { signal: AbortSignal.timeout(1000) })
    await response.body?.cancel()
    return true
  } catch {
    return false
  }
}

async function main(args: string[]): Promise<void> {
  const options = parseCli(args, { date: { type: 'string' } })
  const stackWasRunning = isRunning()
  if (!stackWasRunning) await startStack()
  const sql = postgres(dbUrl, { max: 2, onnotice: () => {} })
  let server: Awaited<ReturnType<typeof startFunctionServer>> | null = null
  try {
    await ensureLocalModel(sql)
    if (!(await functionAnswers())) {
      prepareFunctionAssets()
      server = await startFunctionServer()
    }
    const predictionDate = options.date
    const response = await fetch(functionUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${localServiceRoleKey}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        trigger: 'cli',
        ...(predictionDate ? { prediction_date: predictionDate } : {}),
      }),
    })
    const body = await response.json() as Record<string, unknown>
    if (!response.ok) {
      throw new Error(`score-games answered ${response.status}: ${JSON.stringify(body)}`)
    }
    progress(
      `run ${body.run_id}: scored ${body.scored}, skipped ${(body.skipped as unknown[]).length}, ` +
        `${(body.timings_ms as { total: number }).total} ms, model ${body.model_version}`,
    )
    await printRankedPredictions(sql, {
      runId: String(body.run_id),
      skipped: body.skipped as never,
    })
  } finally {
    await server?.stop()
    await sql.end()
    if (!stackWasRunning) stopStack()
  }
}

await runMain(import.meta.url, main)
