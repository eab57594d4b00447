import { describe, expect, it } from 'vitest'
import { addDays } from './calendar.ts'
import {
  computeFeatures,
  FEATURE_HISTORY_DAYS,
  FEATURE_LOOKBACK_DAYS,
  snapshotsFeaturesRead,
} from './features.ts'
import { createRandom } from '../../../../scripts/lib/random.ts'
import {
  observedGameDays,
  observeGame,
  observeGameForFeatures,
} from '../../../../scripts/market-sim/observations.ts'
import { BASE_WORLD } from '../../../../scripts/market-sim/world.ts'
import { simulatedGames } from '../../../../scripts/market-sim/simulator.ts'
import type { GameObservation, Snapshot } from './types.ts'

function featureValues(observation: GameObservation): number[] | string {
  const result = computeFeatures(observation)
  return result.ok ? Array.from(result.features.values) : result.refusal.code
}

/** Every observed day of a few simulated games, whole history, and with random days missing. */
function observations(): GameObservation[] {
  const random = createRandom(5).float
  const all: GameObservation[] = []
  for (const publication of ['minnesota', 'all_tiers'] as const) {
    const games = simulatedGames({
      seed: 31,
      publication,
      startDate: '2025-03-01',
      days: 60,
      activeGames: 8,
    })
    for (const game of games) {
      for (const { observation } of observedGameDays(game)) {
        all.push(observation)
        all.push({
          ...observation,
          snapshots: observation.snapshots.filter(() => random() < 0.6),
        })
      }
    }
  }
  return all
}

describe('snapshotsFeaturesRead', () => {
  const cases = observations()

  it('gives the same features as the whole history, with gaps in it too', () => {
    expect(cases.length).toBeGreaterThan(500)
    for (const observation of cases) {
      const selected = {
        ...observation,
        snapshots: snapshotsFeaturesRead(observation.snapshots, observation.asOfDate),
      }
      expect(featureValues(selected)).toEqual(featureValues(observation))
    }
  })

  it('keeps at most the first, the latest and one per look-back span, oldest first', () => {
    for (const observation of cases) {
      const selected = snapshotsFeaturesRead(observation.snapshots, observation.asOfDate)
      expect(selected.length).toBeLessThanOrEqual(2 + FEATURE_LOOKBACK_DAYS.length)
      const dates = selected.map((snapshot) => snapshot.snapshotDate)
      expect(dates).toEqual([...dates].sort())
      const earliest = addDays(observation.asOfDate, 1 - FEATURE_HISTORY_DAYS)
      expect(dates.every((date) => date >= earliest && date <= observation.asOfDate)).toBe(true)
    }
  })

  it.each([
    ['no snapshots', [], []],
    ['one snapshot', ['2025-05-30'], ['2025-05-30']],
    [
      'a daily month',
      Array.from({ length: 40 }, (_, day) => addDays('2025-04-21', day)),
      ['2025-05-01', '2025-05-16', '2025-05-23', '2025-05-30'],
    ],
    [
      'gaps before the spans start',
      ['2025-05-02', '2025-05-10', '2025-05-15', '2025-05-22', '2025-05-29'],
      ['2025-05-02', '2025-05-15', '2025-05-22', '2025-05-29'],
    ],
  ])('with %s as of 2025-05-30', (_, dates, expected) => {
    const snapshots: Snapshot[] = dates.map((snapshotDate) => ({
      snapshotDate,
      remainingByTier: {},
      topPrizesRemaining: null,
    }))
    expect(snapshotsFeaturesRead(snapshots, '2025-05-30').map((s) => s.snapshotDate)).toEqual(
      expected,
    )
  })
})

describe('observeGameForFeatures (the simulator reading only what the features read)', () => {
  it('gives the same features as the whole history, with weekday-only and missing days', () => {
    const world = { ...BASE_WORLD, weekdaysOnly: true, missingDayShare: 0.1 }
    let checked = 0
    for (const publication of ['minnesota', 'all_tiers'] as const) {
      const games = simulatedGames({
        seed: 32,
        publication,
        startDate: '2025-03-01',
        days: 60,
        historyDays: 40,
        activeGames: 6,
        world,
      })
      for (const game of games) {
        for (let day = Math.max(0, game.firstDay); day <= game.lastDay; day++) {
          const lean = observeGameForFeatures(game, day)
          const whole = observeGame(game, day)
          expect(lean.tiers).toEqual(whole.tiers)
          expect(lean.snapshots).toEqual(snapshotsFeaturesRead(whole.snapshots, whole.asOfDate))
          expect(featureValues(lean)).toEqual(featureValues(whole))
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(300)
  })
})
