/**
 * Prize classes: the kinds of tier whose winners claim alike. Small prizes are cashed at any
 * retailer within days; larger ones need a trip or a letter to the lottery; top prizes are the
 * slowest (winners take advice first). One definition for the simulator, the claim-profile
 * estimator and the features.
 */

/** The prize classes, fastest to claim first. */
export const PRIZE_CLASSES = ['retailer', 'office', 'top'] as const

/** A kind of tier whose winners claim alike. */
export type PrizeClass = (typeof PRIZE_CLASSES)[number]

/** Largest prize a retailer pays out (Minnesota and most states: up to $600). */
export const RETAILER_LIMIT = 600

/** The class of a tier: up to {@link RETAILER_LIMIT} retailer, else top tier or office. */
export function prizeClassOf(prizeAmount: number, isTopTier: boolean): PrizeClass {
  if (prizeAmount <= RETAILER_LIMIT) return 'retailer'
  return isTopTier ? 'top' : 'office'
}
