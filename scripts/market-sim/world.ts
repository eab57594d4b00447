/**
 * A world: how one state's lottery and players behave. Every game of a simulated state shares
 * its world: how fast winners of each prize class claim and how many never do, how long claims
 * stay open after a game ends, when and what the lottery publishes, how games sell and when they
 * end. {@link BASE_WORLD} is the one setting the simulator knew before (its portfolios are
 * unchanged); {@link drawWorld} draws a world from {@link WORLD_RANGES}, the documented family of
 * worlds the model is trained, calibrated and judged on.
 */
import {
  PRIZE_CLASSES,
  type PrizeClass,
} from '../../supabase/functions/_shared/scoring/prize-class.ts'
import type { Random } from '../lib/random.ts'

/** How the winners of one prize class claim: a minimum wait, then a fast and a slow group. */
export interface ClassClaimBehaviour {
  /** Days before any claim can be made (at most 7). */
  minimumLagDays: number
  /** Share of claimants in the fast group. */
  fastShare: number
  /** Mean extra days before a fast claimant claims (geometric). */
  fastMeanDays: number
  /** Mean extra days before a slow claimant claims (geometric): the heavy tail. */
  slowMeanDays: number
}

/** A state's behaviour: everything the simulator draws per state rather than per game. */
export interface WorldParameters {
  claims: Record<PrizeClass, ClassClaimBehaviour>
  /** Standard deviation of a game's log lag factor (all its classes' lags scale together). */
  gameLagSpread: number
  /** Never-claimed share of retailer prizes under $10 ($10-$99: half of it, $100-$600: a fifth). */
  smallPrizeNeverClaimedShare: number
  officeNeverClaimedShare: number
  topNeverClaimedShare: number
  /** Days after a game's end during which prizes can still be claimed. */
  claimDeadlineDays: number
  /** Days between the claims a published count reflects and the day it is published. */
  publicationDelayDays: number
  /** Counts are published Monday to Friday only. */
  weekdaysOnly: boolean
  /** Share of publication days on which nothing is published (a failed update or scrape). */
  missingDayShare: number
  /** Days an ended game stays listed with its counts (at most the claim deadline). */
  postEndPublishedDays: number
  /** Tiers published under the `top_tiers` rule, counted from the top prize down. */
  topTiersPublished: number
  sales: {
    /** Range of a game's extra sales at launch, as a multiple of its base rate. */
    launchBoost: readonly [number, number]
    /** Range of days for the launch boost to fall by a factor e. */
    launchDecayDays: readonly [number, number]
    /** Range of days for the base sales rate to fall by a factor e. */
    declineDays: readonly [number, number]
    /** Scales the share of its print run a game sells over its planned life. */
    soldShareScale: number
    /** Median days a game is planned to stay on sale. */
    plannedLifeMedianDays: number
  }
  endRules: {
    /** Whether a game closes some days after its last top prize is claimed. */
    closeAfterLastTopPrize: boolean
    /** Range of those days. */
    windDownDays: readonly [number, number]
    /** A game is retired once 28 days of sales fall below this share of its first 28 days'. */
    slowSalesShare: number
  }
}

/** The simulator's original single setting: the worlds of `gbm-v1` and of the demo seed. */
export const BASE_WORLD: Readonly<WorldParameters> = {
  claims: {
    retailer: { minimumLagDays: 0, fastShare: 0.85, fastMeanDays: 1, slowMeanDays: 21 },
    office: { minimumLagDays: 1, fastShare: 0.7, fastMeanDays: 4, slowMeanDays: 21 },
    top: { minimumLagDays: 3, fastShare: 0.5, fastMeanDays: 10, slowMeanDays: 35 },
  },
  gameLagSpread: 0.2,
  smallPrizeNeverClaimedShare: 0.04,
  officeNeverClaimedShare: 0.003,
  topNeverClaimedShare: 0,
  claimDeadlineDays: 365,
  publicationDelayDays: 0,
  weekdaysOnly: false,
  missingDayShare: 0,
  postEndPublishedDays: 0,
  topTiersPublished: 3,
  sales: {
    launchBoost: [0.5, 3],
    launchDecayDays: [7, 35],
    declineDays: [90, 400],
    soldShareScale: 1,
    plannedLifeMedianDays: 330,
  },
  endRules: { closeAfterLastTopPrize: true, windDownDays: [14, 60], slowSalesShare: 0.12 },
}

/** Mean days from the sale of a winning ticket to its claim, for one class's behaviour. */
export function meanClaimLagDays(behaviour: ClassClaimBehaviour): number {
  return behaviour.minimumLagDays + behaviour.fastShare * behaviour.fastMeanDays +
    (1 - behaviour.fastShare) * behaviour.slowMeanDays
}

/** A range of one world parameter: `core` for training, `full` (wider) for calibration and stress. */
export interface ParameterRange {
  core: readonly [number, number]
  full: readonly [number, number]
  /** Drawn uniformly in the log of the value (`log`) or in the value (`linear`). */
  scale: 'log' | 'linear'
  /** Where the range comes from. */
  source: string
}

const CLAIM_SOURCE = 'issue 14: an independent simulator had mid tiers claimed after 9-34 days ' +
  'and top prizes after 37-93; large winners often wait weeks to months for advice ' +
  '(lotteryusa.com, "How long would you wait to claim a giant lottery prize"); prizes up to ' +
  '$600 are cashed at retailers (the IRS W-2G threshold; state claim rules)'

/**
 * The family of worlds, one documented range per parameter. Training draws from `core`;
 * calibration and the stress set draw from `full`, which reaches past the core on every side
 * that real lotteries plausibly reach.
 */
export const WORLD_RANGES = {
  retailerMeanLagDays: {
    core: [1.5, 10],
    full: [1, 15],
    scale: 'log',
    source: `${CLAIM_SOURCE}; our base world: 4 days`,
  },
  officeMeanLagDays: {
    core: [5, 35],
    full: [3, 50],
    scale: 'log',
    source: `${CLAIM_SOURCE}; our base world: 10 days`,
  },
  topMeanLagDays: {
    core: [12, 90],
    full: [8, 130],
    scale: 'log',
    source: `${CLAIM_SOURCE}; the issue asks for top-prize means up to ~120 days`,
  },
  slowShare: {
    core: [0.1, 0.5],
    full: [0.05, 0.6],
    scale: 'linear',
    source: 'share of winners in the slow (heavy-tail) group; base world 0.15-0.5',
  },
  slowToFastRatio: {
    core: [3, 20],
    full: [2, 30],
    scale: 'log',
    source: 'how much slower the slow group is (heavy tails); base world 3.5-21',
  },
  gameLagSpread: {
    core: [0.1, 0.3],
    full: [0.05, 0.4],
    scale: 'linear',
    source: 'games of one state differ in how fast winners claim; base world 0.2',
  },
  smallPrizeNeverClaimedShare: {
    core: [0.01, 0.06],
    full: [0.005, 0.09],
    scale: 'linear',
    source: 'unclaimed prizes are about 1-2% of prize money, mostly small scratch prizes ' +
      '(Arkansas: $3.5M a year on $410M of sales, Arkansas Democrat-Gazette 2014-11-29; ' +
      'about 2% of US winnings, 2013); base world 4%',
  },
  officeNeverClaimedShare: {
    core: [0, 0.006],
    full: [0, 0.012],
    scale: 'linear',
    source: 'prizes over $600 are rarely abandoned; base world 0.3%',
  },
  topNeverClaimedShare: {
    core: [0, 0.003],
    full: [0, 0.008],
    scale: 'linear',
    source: 'top prizes go unclaimed only in rare, reported cases; base world 0',
  },
  claimDeadlineDays: {
    core: [180, 365],
    full: [90, 365],
    scale: 'linear',
    source: 'claims close 90 days to one year after a game ends (legalclarity.org; ' +
      'Arkansas 90 days; Minnesota one year, mnlottery.com FAQ)',
  },
  publicationDelayDays: {
    core: [0, 5],
    full: [0, 7],
    scale: 'linear',
    source: 'counts "as of" a few days before they are posted (issue 14: 0-7 days); base 0',
  },
  missingDayShare: {
    core: [0, 0.08],
    full: [0, 0.15],
    scale: 'linear',
    source: 'days a lottery does not update or a scrape fails; base 0',
  },
  postEndPublishedShare: {
    core: [0, 0.6],
    full: [0, 1],
    scale: 'linear',
    source: 'share of the claim period an ended game stays listed: Minnesota redeems ' +
      'tickets "from every game that is less than one year old" (mnlottery.com FAQ) and some ' +
      'lotteries list ended games until claims close; others drop them at once (base)',
  },
  topTiersPublished: {
    core: [2, 5],
    full: [1, 6],
    scale: 'linear',
    source: 'lotteries that publish only their largest tiers (the independent simulator: 3)',
  },
  launchBoost: {
    core: [0.3, 3.5],
    full: [0, 5],
    scale: 'linear',
    source: 'launch peak of sales; base world 0.5-3',
  },
  launchDecayDays: {
    core: [6, 40],
    full: [4, 60],
    scale: 'log',
    source: 'how fast the launch peak fades; base world 7-35 days',
  },
  declineDays: {
    core: [80, 450],
    full: [50, 600],
    scale: 'log',
    source: "how fast a game's sales decline; base world 90-400 days",
  },
  soldShareScale: {
    core: [0.75, 1.1],
    full: [0.6, 1.2],
    scale: 'linear',
    source: 'how much of its print run a game sells over its planned life; base world 1',
  },
  plannedLifeMedianDays: {
    core: [240, 420],
    full: [180, 540],
    scale: 'log',
    source: 'games stay on sale from months to two years; base world 330 days',
  },
  windDownDays: {
    core: [7, 60],
    full: [0, 90],
    scale: 'linear',
    source: 'days a game stays on sale after its last top prize is claimed; base 14-60',
  },
  slowSalesShare: {
    core: [0.06, 0.2],
    full: [0.03, 0.3],
    scale: 'linear',
    source: 'games are ended when sales fall and the dispensers are needed for new ones ' +
      '(mnlottery.com FAQ); base world 0.12',
  },
} as const satisfies Record<string, ParameterRange>

/** The name of one documented world parameter range. */
export type WorldRangeName = keyof typeof WORLD_RANGES

/** Probabilities of the yes/no parts of a world, in training (`core`) and beyond (`full`). */
export const WORLD_CHOICES = {
  weekdaysOnly: {
    core: 0.3,
    full: 0.5,
    source: 'some lotteries update their reports on business days only; base world: daily',
  },
  closeAfterLastTopPrize: {
    core: 0.7,
    full: 0.5,
    source: 'some lotteries end a game soon after its last top prize is claimed, others end ' +
      'games to make room for new ones whatever is left (mnlottery.com FAQ); base world: yes',
  },
} as const

/** Which part of the ranges to draw from. */
export type WorldSpread = 'core' | 'full'

/** A world drawn from the family, with the values it was drawn at (for reports and terciles). */
export interface DrawnWorld {
  parameters: WorldParameters
  /** The drawn value of every range, by name. */
  values: Record<WorldRangeName, number>
  /** Names of the values that fall outside their range's core. */
  outsideCore: WorldRangeName[]
}

function drawValue(random: Random, range: ParameterRange, spread: WorldSpread): number {
  const [low, high] = range[spread]
  if (range.scale === 'log') return Math.exp(random.uniform(Math.log(low), Math.log(high)))
  return random.uniform(low, high)
}

/** A class behaviour with the given mean lag, slow share and slow/fast ratio. */
export function classBehaviour(
  meanLagDays: number,
  shape: { minimumLagDays: number; slowShare: number; slowToFastRatio: number },
): ClassClaimBehaviour {
  const extra = Math.max(0.2, meanLagDays - shape.minimumLagDays)
  const fastMeanDays = extra / (1 - shape.slowShare + shape.slowShare * shape.slowToFastRatio)
  return {
    minimumLagDays: shape.minimumLagDays,
    fastShare: 1 - shape.slowShare,
    fastMeanDays,
    slowMeanDays: fastMeanDays * shape.slowToFastRatio,
  }
}

/**
 * Draws a world: every range in {@link WORLD_RANGES} from its `spread` part, the yes/no choices
 * of {@link WORLD_CHOICES}. Class lags are kept in order (retailer <= office <= top) as bigger
 * prizes are never claimed faster.
 */
export function drawWorld(random: Random, spread: WorldSpread): DrawnWorld {
  const values = {} as Record<WorldRangeName, number>
  for (const name of Object.keys(WORLD_RANGES) as WorldRangeName[]) {
    values[name] = drawValue(random, WORLD_RANGES[name], spread)
  }
  values.officeMeanLagDays = Math.max(values.officeMeanLagDays, values.retailerMeanLagDays)
  values.topMeanLagDays = Math.max(values.topMeanLagDays, values.officeMeanLagDays)
  values.publicationDelayDays = Math.round(values.publicationDelayDays)
  values.topTiersPublished = Math.round(values.topTiersPublished)
  values.claimDeadlineDays = Math.round(values.claimDeadlineDays)
  const weekdaysOnly = random.float() < WORLD_CHOICES.weekdaysOnly[spread]
  const closeAfterLastTopPrize = random.float() < WORLD_CHOICES.closeAfterLastTopPrize[spread]
  // Each class has its own tail; the slower classes also wait a few days at least.
  const shape = (minimumLagDays: number) => ({
    minimumLagDays,
    slowShare: drawValue(random, WORLD_RANGES.slowShare, spread),
    slowToFastRatio: drawValue(random, WORLD_RANGES.slowToFastRatio, spread),
  })
  const claims: Record<PrizeClass, ClassClaimBehaviour> = {
    retailer: classBehaviour(values.retailerMeanLagDays, shape(0)),
    office: classBehaviour(values.officeMeanLagDays, shape(random.integer(0, 3))),
    top: classBehaviour(values.topMeanLagDays, shape(random.integer(1, 7))),
  }
  const windDownLow = Math.round(values.windDownDays / 2)
  const parameters: WorldParameters = {
    claims,
    gameLagSpread: values.gameLagSpread,
    smallPrizeNeverClaimedShare: values.smallPrizeNeverClaimedShare,
    officeNeverClaimedShare: values.officeNeverClaimedShare,
    topNeverClaimedShare: values.topNeverClaimedShare,
    claimDeadlineDays: values.claimDeadlineDays,
    publicationDelayDays: values.publicationDelayDays,
    weekdaysOnly,
    missingDayShare: values.missingDayShare,
    postEndPublishedDays: Math.round(values.postEndPublishedShare * values.claimDeadlineDays),
    topTiersPublished: values.topTiersPublished,
    sales: {
      launchBoost: around(values.launchBoost, 0.6),
      launchDecayDays: around(values.launchDecayDays, 0.6),
      declineDays: around(values.declineDays, 0.6),
      soldShareScale: values.soldShareScale,
      plannedLifeMedianDays: values.plannedLifeMedianDays,
    },
    endRules: {
      closeAfterLastTopPrize,
      windDownDays: [windDownLow, Math.round(values.windDownDays * 1.5) + 1],
      slowSalesShare: values.slowSalesShare,
    },
  }
  const outsideCore = (Object.keys(WORLD_RANGES) as WorldRangeName[]).filter((name) => {
    const [low, high] = WORLD_RANGES[name].core
    return values[name] < low || values[name] > high
  })
  return { parameters, values, outsideCore }
}

/** The games of a state vary around its typical value: a range of ±`spread` of it. */
function around(value: number, spread: number): readonly [number, number] {
  return [value * (1 - spread / 2), value * (1 + spread / 2)]
}

/** A world's typical claim lag: the geometric mean of its classes' mean lags (for terciles). */
export function worldClaimLagIndex(world: WorldParameters): number {
  const logs = PRIZE_CLASSES.map((prizeClass) =>
    Math.log(meanClaimLagDays(world.claims[prizeClass]))
  )
  return Math.exp(logs.reduce((sum, value) => sum + value, 0) / logs.length)
}

/**
 * Mean days a winning ticket of a class stays unclaimed within its first `horizonDays` days:
 * ∫₀^h P(not yet claimed) du, the lag that matters for a game sold for `horizonDays` days at a
 * steady pace (the full mean as the horizon grows). Never-claimed prizes are left out, and the
 * games' lag factors are averaged in (their means scale by exp(σ²/2)).
 */
export function effectiveClaimLagDays(
  world: WorldParameters,
  prizeClass: PrizeClass,
  horizonDays: number,
): number {
  const behaviour = world.claims[prizeClass]
  const scale = Math.exp(world.gameLagSpread ** 2 / 2)
  const minimum = Math.min(horizonDays, behaviour.minimumLagDays)
  const rest = horizonDays - minimum
  const truncated = (meanDays: number) => {
    const mean = meanDays * scale
    return mean * (1 - Math.exp(-rest / Math.max(mean, 1e-9)))
  }
  return minimum + behaviour.fastShare * truncated(behaviour.fastMeanDays) +
    (1 - behaviour.fastShare) * truncated(behaviour.slowMeanDays)
}
