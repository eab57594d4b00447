/**
 * The claim profile of each state a run scores: the one stored in `claim_profiles` estimated
 * within the last PROFILE_REFRESH_DAYS days on or before the prediction date, or, for a state
 * without one, one estimated now from `private.claim_evidence` (one query for all such states,
 * set-based in Postgres) with the one estimator (`scoring/claim-profile.ts`) and stored with its
 * date (unless the run is dry). At most three round trips, whatever the number of games.
 */
import type { Sql } from 'postgres'
import { z } from 'zod'
import {
  type ClaimEvidence,
  type ClaimProfile,
  estimateClaimProfile,
  PROFILE_REFRESH_DAYS,
} from '../scoring/claim-profile.ts'
import { PRIZE_CLASSES } from '../scoring/prize-class.ts'
import { arrayLiteral } from './pg-array.ts'
import type { RunScope } from './run-inputs.ts'

const finite = z.number().refine(Number.isFinite, 'must be a finite number')

const classEstimate = z.object({
  meanLagDays: finite.positive(),
  lagLogSd: finite.nonnegative(),
  neverClaimedShare: finite.min(0).max(1),
  neverClaimedSd: finite.nonnegative(),
  games: z.number().int().nonnegative(),
})

const storedClasses = z.object({
  retailer: classEstimate,
  office: classEstimate,
  top: classEstimate,
})

const shiftSums = z.object({
  points: z.number(),
  games: z.number(),
  sw: finite,
  swx: finite,
  swr: finite,
  swy: finite,
  swxx: finite,
  swxr: finite,
  swrr: finite,
  swxy: finite,
  swry: finite,
  swyy: finite,
})

const postEndSums = z.object({
  bucket: z.number().int(),
  games: z.number(),
  claimsPerDay: finite,
  claimsPerDayTimesDays: finite,
  lateClaims: finite,
})

/** The evidence `private.claim_evidence` returns for one state. */
const evidenceSchema = z.object({
  shift: z.object({
    'retailer:office': shiftSums.optional(),
    'retailer:top': shiftSums.optional(),
    'office:top': shiftSums.optional(),
  }),
  postEnd: z.object({
    retailer: z.array(postEndSums).optional(),
    office: z.array(postEndSums).optional(),
    top: z.array(postEndSums).optional(),
  }),
})

const storedRow = z.object({
  state: z.string(),
  estimated_on: z.string().nullable(),
  classes: z.unknown(),
})

/** What a run needs to know about the claim profiles of its states. */
export interface RunClaimProfiles {
  profiles: Map<string, ClaimProfile>
  /** States whose profile was estimated by this run (stored unless it was dry). */
  estimated: string[]
}

/**
 * The profiles of the states with active games in `scope` as of `asOfDate`: stored ones when
 * fresh, otherwise estimated from the evidence (and stored when `store`).
 */
export async function claimProfilesForRun(
  sql: Sql,
  options: { scope: RunScope; asOfDate: string; store: boolean },
): Promise<RunClaimProfiles> {
  const { scope, asOfDate } = options
  const states = scope.states === null ? null : arrayLiteral(scope.states)
  const gameIds = scope.gameIds === null ? null : arrayLiteral(scope.gameIds)
  const rows = await sql`
    with scope_states as (
      select distinct g.state
      from public.games as g
      where g.is_active
        and (${states}::text[] is null or g.state = any(${states}::text[]))
        and (${gameIds}::bigint[] is null or g.id = any(${gameIds}::bigint[]))
    )
    select s.state, latest.estimated_on::text as estimated_on, latest.classes
    from scope_states as s
    left join lateral (
      select cp.estimated_on, cp.classes
      from public.claim_profiles as cp
      where cp.state = s.state
        and cp.estimated_on <= ${asOfDate}::date
        and cp.estimated_on > ${asOfDate}::date - ${PROFILE_REFRESH_DAYS}::int
      order by cp.estimated_on desc
      limit 1
    ) as latest on true`
  const profiles = new Map<string, ClaimProfile>()
  const stale: string[] = []
  for (const raw of rows) {
    const row = storedRow.parse(raw)
    const classes = storedClasses.safeParse(row.classes)
    if (row.estimated_on !== null && classes.success) {
      profiles.set(row.state, {
        state: row.state,
        estimatedOn: row.estimated_on,
        classes: classes.data,
      })
    } else {
      stale.push(row.state)
    }
  }
  if (stale.length === 0) return { profiles, estimated: [] }

  const evidenceRows = await sql<{ state: string; evidence: unknown }[]>`
    select state, evidence
    from private.claim_evidence(${arrayLiteral(stale)}::text[], ${asOfDate}::date)`
  const evidenceByState = new Map<string, ClaimEvidence>()
  for (const row of evidenceRows) {
    const parsed = evidenceSchema.parse(row.evidence)
    evidenceByState.set(row.state, { state: row.state, asOfDate, ...parsed } as ClaimEvidence)
  }
  const estimated: ClaimProfile[] = stale.map((state) =>
    estimateClaimProfile(
      evidenceByState.get(state) ?? { state, asOfDate, shift: {}, postEnd: {} },
    )
  )
  for (const profile of estimated) profiles.set(profile.state, profile)
  if (options.store) await storeClaimProfiles(sql, estimated, evidenceByState)
  return { profiles, estimated: stale }
}

/** Stores profiles with their evidence, one statement (a rerun of the same day replaces them). */
export async function storeClaimProfiles(
  sql: Sql,
  profiles: readonly ClaimProfile[],
  evidenceByState: ReadonlyMap<string, ClaimEvidence>,
): Promise<void> {
  if (profiles.length === 0) return
  const rows = profiles.map((profile) => {
    const evidence = evidenceByState.get(profile.state)
    return {
      state: profile.state,
      estimated_on: profile.estimatedOn,
      retailer_lag_days: profile.classes.retailer.meanLagDays,
      office_lag_days: profile.classes.office.meanLagDays,
      top_lag_days: profile.classes.top.meanLagDays,
      retailer_never_claimed_share: profile.classes.retailer.neverClaimedShare,
      classes: Object.fromEntries(PRIZE_CLASSES.map((name) => [name, profile.classes[name]])),
      evidence: evidence
        ? { shift: evidence.shift, postEnd: evidence.postEnd }
        : { shift: {}, postEnd: {} },
    }
  })
  await sql`
    insert into public.claim_profiles (
      state, estimated_on, retailer_lag_days, office_lag_days, top_lag_days,
      retailer_never_claimed_share, classes, evidence
    )
    select state, estimated_on, retailer_lag_days, office_lag_days, top_lag_days,
      retailer_never_claimed_share, classes, evidence
    from json_to_recordset(${JSON.stringify(rows)}::text::json) as input(
      state text, estimated_on date, retailer_lag_days float8, office_lag_days float8,
      top_lag_days float8, retailer_never_claimed_share float8, classes jsonb, evidence jsonb
    )
    on conflict (state, estimated_on) do update set
      retailer_lag_days = excluded.retailer_lag_days,
      office_lag_days = excluded.office_lag_days,
      top_lag_days = excluded.top_lag_days,
      retailer_never_claimed_share = excluded.retailer_never_claimed_share,
      classes = excluded.classes,
      evidence = excluded.evidence`
}
