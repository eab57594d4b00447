/**
 * Designs a simulated scratch game from a real Minnesota prize structure: picks a price point,
 * perturbs the print run and tier counts, and tunes the low tiers so the payout follows the
 * price schedule (about 61% at $1 rising to 75% at $50, as in Minnesota).
 */
import { MINNESOTA_PRIZE_STRUCTURES, type RealPrizeStructure } from './prize-structures.ts'
import type { Random } from '../lib/random.ts'

/** One tier of a designed game. */
export interface DesignedTier {
  prizeAmount: number
  totalPrizes: number
  /** Published "1 in X" odds, rounded to 2 decimals as lotteries print them. */
  odds: number
}

/** A designed game: what the lottery prints, before any sale. */
export interface GameDesign {
  /** Name and number of the real game whose structure this one is drawn from. */
  sourceGameName: string
  sourceGameNumber: string | null
  ticketPrice: number
  ticketsPrinted: number
  /** Published overall odds, rounded to 2 decimals. */
  overallOdds: number
  /** Tiers sorted by prize amount ascending; the last is the top prize. */
  tiers: DesignedTier[]
  /** Prize value over sales value of the whole print run. */
  printedPayout: number
}

/** Typical payout by price point: Minnesota's published schedule, extended to $30. */
export const PAYOUT_BY_PRICE: Readonly<Record<number, number>> = {
  1: 0.61,
  2: 0.645,
  3: 0.66,
  5: 0.68,
  10: 0.7,
  20: 0.72,
  30: 0.74,
  50: 0.75,
}

/** Price points on sale and how common each is in a portfolio. */
export const PRICE_WEIGHTS: Readonly<Record<number, number>> = {
  1: 0.08,
  2: 0.1,
  3: 0.14,
  5: 0.22,
  10: 0.24,
  20: 0.13,
  30: 0.04,
  50: 0.05,
}

const PRICES = Object.keys(PRICE_WEIGHTS).map(Number)
const NICE_MANTISSAS = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10]

/** The nearest "nice" prize amount (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 × a power of ten). */
export function niceAmount(amount: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(amount)))
  let best = power
  for (const mantissa of NICE_MANTISSAS) {
    const candidate = mantissa * power
    if (Math.abs(Math.log(candidate / amount)) < Math.abs(Math.log(best / amount))) {
      best = candidate
    }
  }
  return best
}

function roundOdds(ticketsPrinted: number, prizes: number): number {
  return Math.round((ticketsPrinted / prizes) * 100) / 100
}

/** Real structures at `price`, or, for $30, the $20 ones with prizes scaled by 1.5. */
function sourcesFor(price: number): RealPrizeStructure[] {
  const samePrice = MINNESOTA_PRIZE_STRUCTURES.filter((game) => game.ticketPrice === price)
  if (samePrice.length > 0) return samePrice
  const nearest = PRICES.filter((p) => p !== price && p < price).at(-1) ?? 1
  const factor = price / nearest
  return MINNESOTA_PRIZE_STRUCTURES.filter((game) => game.ticketPrice === nearest).map((game) => {
    const byAmount = new Map<number, number>()
    for (const tier of game.tiers) {
      const amount = Math.max(price, niceAmount(tier.prizeAmount * factor))
      byAmount.set(amount, (byAmount.get(amount) ?? 0) + tier.prizesPrinted)
    }
    return {
      ...game,
      ticketPrice: price,
      tiers: [...byAmount].map(([prizeAmount, prizesPrinted]) => ({ prizeAmount, prizesPrinted }))
        .sort((a, b) => a.prizeAmount - b.prizeAmount),
    }
  })
}

/**
 * How a design uses the real structures: `perturbed` (the default, for training and evaluation)
 * varies them as {@link designGame} says; `real` prints a real game's table unchanged, at a price
 * point that has one (demo data that names real games).
 */
export type StructureUse = 'perturbed' | 'real'

/** The real table of `source` as a design, unchanged. */
function realDesign(source: RealPrizeStructure): GameDesign {
  return finishDesign(
    source,
    source.ticketsPrinted,
    source.tiers.map((tier) => tier.prizeAmount),
    source.tiers.map((tier) => tier.prizesPrinted),
  )
}

/**
 * Draws one game design: a price point (by {@link PRICE_WEIGHTS}), a real structure at that
 * price, a print run scaled by a log-normal factor, tier counts jittered by a few percent, and
 * low-tier counts tuned to a payout near {@link PAYOUT_BY_PRICE}. With `structures: 'real'`,
 * a real structure as printed.
 */
export function designGame(random: Random, structures: StructureUse = 'perturbed'): GameDesign {
  const prices = structures === 'real'
    ? PRICES.filter((price) => MINNESOTA_PRIZE_STRUCTURES.some((s) => s.ticketPrice === price))
    : PRICES
  const ticketPrice = prices[random.weightedIndex(prices.map((p) => PRICE_WEIGHTS[p] ?? 0))] ?? 5
  const sources = sourcesFor(ticketPrice)
  const source = sources[random.integer(0, sources.length - 1)] ?? sources[0]
  if (!source) throw new Error(`Cannot design a game: no structure at $${ticketPrice}`)
  if (structures === 'real') return realDesign(source)
  const scale = Math.min(2, Math.max(0.5, Math.exp(random.normal(0, 0.3))))
  const ticketsPrinted = Math.round(source.ticketsPrinted * scale)
  const counts = source.tiers.map((tier) => {
    const jitter = tier.prizesPrinted >= 100 ? 1 + random.normal(0, 0.03) : 1
    return Math.max(1, Math.round(tier.prizesPrinted * scale * jitter))
  })
  const amounts = source.tiers.map((tier) => tier.prizeAmount)

  // Tune the small tiers (up to 5× the price) so the value matches the target payout.
  const targetPayout = (PAYOUT_BY_PRICE[ticketPrice] ?? 0.68) + random.normal(0, 0.005)
  const targetValue = targetPayout * ticketsPrinted * ticketPrice
  const isSmall = (amount: number, index: number) => amount <= 5 * ticketPrice || index === 0
  let smallValue = 0
  let otherValue = 0
  amounts.forEach((amount, i) => {
    const value = amount * (counts[i] ?? 0)
    if (isSmall(amount, i)) smallValue += value
    else otherValue += value
  })
  const factor = Math.min(2, Math.max(0.2, (targetValue - otherValue) / smallValue))
  amounts.forEach((amount, i) => {
    if (isSmall(amount, i)) counts[i] = Math.max(1, Math.round((counts[i] ?? 0) * factor))
  })

  return finishDesign(source, ticketsPrinted, amounts, counts)
}

/** The design printing `counts` prizes of `amounts` on `ticketsPrinted` tickets. */
function finishDesign(
  source: RealPrizeStructure,
  ticketsPrinted: number,
  amounts: readonly number[],
  counts: readonly number[],
): GameDesign {
  const ticketPrice = source.ticketPrice
  const tiers = amounts.map((prizeAmount, i) => {
    const totalPrizes = counts[i] ?? 1
    return { prizeAmount, totalPrizes, odds: roundOdds(ticketsPrinted, totalPrizes) }
  })
  const totalPrizes = tiers.reduce((sum, tier) => sum + tier.totalPrizes, 0)
  const printedValue = tiers.reduce((sum, tier) => sum + tier.prizeAmount * tier.totalPrizes, 0)
  return {
    sourceGameName: source.gameName,
    sourceGameNumber: source.gameNumber,
    ticketPrice,
    ticketsPrinted,
    overallOdds: roundOdds(ticketsPrinted, totalPrizes),
    tiers,
    printedPayout: printedValue / (ticketsPrinted * ticketPrice),
  }
}
