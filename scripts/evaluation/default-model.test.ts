/**
 * The committed default model behaves as documented on a simulated state it never saw: its
 * interval is wider where the state's claim profile is uncertain (a state with no history of its
 * own gets the priors) than where the profile was measured, and probability_above_par stays tiny
 * for game-days far below par.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../local-stack/config.ts'
import { defaultModelCard } from '../models/model-cards.ts'
import { readScoringModelMetadata } from '../../supabase/functions/_shared/onnx/metadata.ts'
import {
  loadTreeEnsembleModel,
  predictTreeEnsembles,
} from '../../supabase/functions/_shared/onnx/tree-ensemble.ts'
import { probabilityAbovePar } from '../../supabase/functions/_shared/scoring/above-par.ts'
import { ABOVE_PAR_MENTION_PROBABILITY } from '../../supabase/functions/_shared/scoring/interpretation.ts'
import { priorClaimProfile } from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import { featureColumns } from '../../supabase/functions/_shared/scoring/features.ts'
import {
  orderedInterval,
  prepareBatch,
} from '../../supabase/functions/_shared/scoring/scoring-pipeline.ts'
import type { GameObservation } from '../../supabase/functions/_shared/scoring/types.ts'
import type { ClaimProfile } from '../../supabase/functions/_shared/scoring/claim-profile.ts'
import { type ProfiledGameDay, simulateState, stateGameDays } from '../market-sim/state-days.ts'
import { worldCase, worldPortfolio } from './world-set.ts'

const card = defaultModelCard()
const bytes = new Uint8Array(readFileSync(join(repoRoot, card.onnxFile)))
const metadata = readScoringModelMetadata(bytes)
const model = loadTreeEnsembleModel(bytes)
const columns = featureColumns(metadata.featureNames)

/** The model's ordered intervals for observations scored with one profile. */
function intervals(observations: readonly GameObservation[], profile: ClaimProfile) {
  const batch = prepareBatch(observations, {
    columns,
    profiles: new Map([[profile.state, profile]]),
  })
  const outputs = predictTreeEnsembles(model, batch.matrix, batch.prepared.length)
  return batch.prepared.map((_, row) =>
    orderedInterval(
      outputs.expectedReturn[row] as number,
      outputs.p10[row] as number,
      outputs.p90[row] as number,
    )
  )
}

describe(`the default model (${card.version})`, () => {
  // A training-range world under Minnesota's rule, a long history (a well-measured profile).
  const world = { ...worldCase(100_999, 'core'), historyDays: 300 }
  const gameDays: ProfiledGameDay[] = []
  stateGameDays(
    simulateState(worldPortfolio(world, 'ZD')),
    { rule: 'minnesota', sampleEvery: 9 },
    (gameDay) => gameDays.push(gameDay),
  )
  const observations = gameDays.map((gameDay) => gameDay.observation)
  const measured = gameDays.at(-1)?.profile as ClaimProfile

  it('widens its interval where the claim profile is uncertain', () => {
    expect(gameDays.length).toBeGreaterThan(150)
    expect(measured.classes.office.games).toBeGreaterThan(0)
    const width = (profile: ClaimProfile) => {
      const all = intervals(observations, profile)
      return all.reduce((sum, i) => sum + i.expectedReturnHigh - i.expectedReturnLow, 0) /
        all.length
    }
    const prior = priorClaimProfile('ZD', measured.estimatedOn)
    expect(width(prior)).toBeGreaterThan(width(measured) * 1.02)
  })

  it('gives a tiny probability_above_par to almost every game-day, never worth a mention far below par', () => {
    const all = intervals(observations, measured)
    const probabilities = all.map((interval) =>
      probabilityAbovePar(interval, metadata.aboveParCalibration ?? null)
    ).sort((a, b) => a - b)
    expect(probabilities[Math.floor(probabilities.length * 0.9)]).toBeLessThan(0.001)
    const farBelow = all.filter((interval) => interval.expectedReturnHigh < 0.9)
    expect(farBelow.length).toBeGreaterThan(100)
    for (const interval of farBelow) {
      expect(probabilityAbovePar(interval, metadata.aboveParCalibration ?? null)).toBeLessThan(
        ABOVE_PAR_MENTION_PROBABILITY,
      )
    }
  })
})
