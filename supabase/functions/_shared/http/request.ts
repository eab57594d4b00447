/**
 * The score-games request body, validated with zod. Every field is optional; an empty body
 * scores every active game of every state for today (America/Chicago). `prediction_date` must lie
 * in {@link predictionDateWindow}: from 2000-01-01 to tomorrow.
 */
import { z } from 'zod'
import { addDays } from '../scoring/calendar.ts'
import { ScoringError } from './errors.ts'

const isoDate = z.iso.date()

const requestSchema = z.strictObject({
  states: z.array(z.string().regex(/^[A-Z]{2}$/, 'must be two-letter state codes like "MN"'))
    .min(1).max(60).optional(),
  game_ids: z.array(z.number().int().positive()).min(1).max(50_000).optional(),
  prediction_date: isoDate.optional(),
  dry_run: z.boolean().default(false),
  trigger: z.enum(['cron', 'http', 'cli', 'backfill']).default('http'),
})

/** A validated scoring request. */
export interface ScoringRequest {
  states: string[] | null
  gameIds: number[] | null
  predictionDate: string
  dryRun: boolean
  trigger: 'cron' | 'http' | 'cli' | 'backfill'
}

/**
 * The first date a run may be for: no scratch game of the data model is older, and years before
 * 100 are read differently by JavaScript's Date and by Postgres.
 */
export const EARLIEST_PREDICTION_DATE = '2000-01-01'

/** Today's date (YYYY-MM-DD) in America/Chicago, where a US lottery day is closest to. */
export function todayInChicago(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'America/Chicago',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now)
}

/**
 * The dates a run may be for: from {@link EARLIEST_PREDICTION_DATE} to tomorrow in America/Chicago
 * (a day ahead, so a run just before midnight can score the coming day; never further: nothing
 * is known about later days).
 */
export function predictionDateWindow(now: Date = new Date()): { from: string; to: string } {
  return { from: EARLIEST_PREDICTION_DATE, to: addDays(todayInChicago(now), 1) }
}

/** Parses a request body text; throws a 400 ScoringError naming the offending field. */
export function parseScoringRequest(bodyText: string, now: Date = new Date()): ScoringRequest {
  let json: unknown = {}
  if (bodyText.trim() !== '') {
    try {
      json = JSON.parse(bodyText)
    } catch {
      throw new ScoringError('invalid_json', 400, 'Request body is not valid JSON')
    }
  }
  const result = requestSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    const field = issue?.path.join('.') || 'body'
    const message = issue?.code === 'unrecognized_keys'
      ? `Unknown field(s): ${issue.keys.join(', ')}`
      : `Invalid field ${field}: ${issue?.message ?? 'invalid'}`
    throw new ScoringError('invalid_request', 400, message)
  }
  const body = result.data
  const window = predictionDateWindow(now)
  // ISO dates of four-digit years compare as text.
  if (
    body.prediction_date !== undefined &&
    (body.prediction_date < window.from || body.prediction_date > window.to)
  ) {
    throw new ScoringError(
      'invalid_request',
      400,
      `Invalid field prediction_date: ${body.prediction_date} is outside ${window.from} to ` +
        `${window.to} (tomorrow in America/Chicago)`,
    )
  }
  return {
    states: body.states ? [...new Set(body.states)].sort() : null,
    gameIds: body.game_ids ? [...new Set(body.game_ids)].sort((a, b) => a - b) : null,
    predictionDate: body.prediction_date ?? todayInChicago(now),
    dryRun: body.dry_run,
    trigger: body.trigger,
  }
}
