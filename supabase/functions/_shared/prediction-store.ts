/**
 * Writes a run's predictions: one set-based upsert of every row (idempotent on game, date and
 * model version) in the caller's transaction, so a run's rows land together or not at all.
 */
import type { Sql, TransactionSql } from 'postgres'

/** Recommendation labels, best first (the `public.recommendation` enum). */
export const RECOMMENDATIONS = ['strong_buy', 'buy', 'neutral', 'avoid', 'strong_avoid'] as const
export type Recommendation = (typeof RECOMMENDATIONS)[number]

/** One prediction row as the app reads it. */
export interface Prediction {
  gameId: number
  aiScore: number
  winProbability: number
  /** Dollars per ticket, net of its price. */
  expectedValue: number
  /** Prize dollars per $1 spent, with the 80% interval. */
  expectedReturn: number
  expectedReturnLow: number
  expectedReturnHigh: number
  confidenceLevel: number
  recommendation: Recommendation
  reasoning: string
  features: Record<string, number>
}

/** Upserts the predictions of one run in one statement. */
export async function upsertPredictions(
  sql: Sql | TransactionSql,
  run: { runId: string; predictionDate: string; modelVersion: string },
  predictions: readonly Prediction[],
): Promise<void> {
  if (predictions.length === 0) return
  const column = <T>(pick: (prediction: Prediction) => T): T[] => predictions.map(pick)
  await sql`
    insert into public.predictions (
      game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
      expected_return, expected_return_low, expected_return_high, confidence_level,
      recommendation, reasoning, features, run_id
    )
    select
      input.game_id, ${run.predictionDate}::date, ${run.modelVersion}, input.ai_score,
      input.win_probability, input.expected_value, input.expected_return,
      input.expected_return_low, input.expected_return_high, input.confidence_level,
      input.recommendation::public.recommendation, input.reasoning, input.features::jsonb,
      ${run.runId}::uuid
    from unnest(
      ${column((p) => p.gameId)}::bigint[],
      ${column((p) => p.aiScore)}::int[],
      ${column((p) => p.winProbability)}::float8[],
      ${column((p) => p.expectedValue)}::float8[],
      ${column((p) => p.expectedReturn)}::float8[],
      ${column((p) => p.expectedReturnLow)}::float8[],
      ${column((p) => p.expectedReturnHigh)}::float8[],
      ${column((p) => p.confidenceLevel)}::int[],
      ${column((p) => p.recommendation)}::text[],
      ${column((p) => p.reasoning)}::text[],
      ${column((p) => JSON.stringify(p.features))}::text[]
    ) as input(
      game_id, ai_score, win_probability, expected_value, expected_return, expected_return_low,
      expected_return_high, confidence_level, recommendation, reasoning, features
    )
    on conflict (game_id, prediction_date, model_version) do update set
      ai_score = excluded.ai_score,
      win_probability = excluded.win_probability,
      expected_value = excluded.expected_value,
      expected_return = excluded.expected_return,
      expected_return_low = excluded.expected_return_low,
      expected_return_high = excluded.expected_return_high,
      confidence_level = excluded.confidence_level,
      recommendation = excluded.recommendation,
      reasoning = excluded.reasoning,
      features = excluded.features,
      run_id = excluded.run_id`
}
