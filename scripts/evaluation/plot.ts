/**
 * The model card's plot, as hand-written SVG: predicted vs true expected return per $1 on the
 * held-out portfolios (model and baseline, one panel per publication rule), the model's 80%
 * interval coverage by decile of predicted interval width, and on the stress worlds the 80%
 * coverage by publication rule and by claim-lag tercile, and the MAE by rule against the
 * standard estimator's.
 */
import type { PublicationRule } from '../market-sim/simulator.ts'
import type { ScoredGameDay, WorldsEvaluation } from './model-evaluation.ts'

/** Points drawn per series and panel (an evenly spaced subsample keeps the file small). */
const POINTS_PER_SERIES = 1_200
const PANEL = { width: 320, height: 300, left: 56, top: 40, gap: 70 }
const COLORS = { model: '#1f77b4', baseline: '#ff7f0e', target: '#555' }
const RULE_COLORS: Record<PublicationRule, string> = {
  minnesota: '#2ca02c',
  all_tiers: '#9467bd',
  top_tiers: '#8c564b',
  top_prize: '#e377c2',
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function evenlySpaced<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items]
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T)
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

const fmt = (value: number) => value.toFixed(1)

/** Axis frame with ticks at `ticks` on both axes (square range). */
function frame(x0: number, range: [number, number], ticks: number[], labels: [string, string]) {
  const { width, height, top } = PANEL
  const sx = (v: number) => x0 + ((v - range[0]) / (range[1] - range[0])) * width
  const sy = (v: number) => top + height - ((v - range[0]) / (range[1] - range[0])) * height
  const parts = [
    `<rect x="${x0}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
  ]
  for (const tick of ticks) {
    parts.push(
      `<text x="${fmt(sx(tick))}" y="${top + height + 14}" text-anchor="middle">${
        tick.toFixed(2)
      }</text>`,
      `<text x="${x0 - 6}" y="${fmt(sy(tick) + 4)}" text-anchor="end">${tick.toFixed(2)}</text>`,
    )
  }
  parts.push(
    `<text x="${x0 + width / 2}" y="${top + height + 32}" text-anchor="middle">${
      escapeXml(labels[0])
    }</text>`,
    `<text transform="translate(${x0 - 44},${top + height / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(labels[1])
    }</text>`,
  )
  return { parts, sx, sy }
}

function scatterPanel(x0: number, rule: PublicationRule, rows: readonly ScoredGameDay[]) {
  const truths = rows.map((row) => row.truth).sort((a, b) => a - b)
  const low = Math.max(0, Math.floor(quantile(truths, 0.005) * 20) / 20)
  const high = Math.ceil(quantile(truths, 0.995) * 20) / 20
  const step = high - low > 0.3 ? 0.1 : 0.05
  const ticks: number[] = []
  for (let tick = Math.ceil(low / step - 1e-9) * step; tick <= high + 1e-9; tick += step) {
    ticks.push(tick)
  }
  const { parts, sx, sy } = frame(x0, [low, high], ticks, ['true return per $1', 'predicted'])
  const inside = (v: number) => v >= low && v <= high
  const sample = evenlySpaced(rows, POINTS_PER_SERIES)
  for (
    const [series, value] of [
      ['baseline', (row: ScoredGameDay) => row.baseline],
      ['model', (row: ScoredGameDay) => row.model.estimate],
    ] as const
  ) {
    const dots = sample
      .filter((row) => inside(row.truth) && inside(value(row)))
      .map((row) => `<circle cx="${fmt(sx(row.truth))}" cy="${fmt(sy(value(row)))}" r="1.3"/>`)
    parts.push(
      `<g fill="${COLORS[series]}" fill-opacity="0.35">${dots.join('')}</g>`,
    )
  }
  parts.push(
    `<line x1="${fmt(sx(low))}" y1="${fmt(sy(low))}" x2="${fmt(sx(high))}" y2="${
      fmt(sy(high))
    }" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`,
    `<text x="${x0 + PANEL.width / 2}" y="${
      PANEL.top - 10
    }" text-anchor="middle" font-weight="bold">${rule}: predicted vs true</text>`,
  )
  return parts
}

function coveragePanel(x0: number, byRule: Map<PublicationRule, ScoredGameDay[]>) {
  const { width, height, top } = PANEL
  const sx = (decile: number) => x0 + ((decile + 0.5) / 10) * width
  const sy = (coverage: number) => top + height - coverage * height
  const parts = [
    `<rect x="${x0}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + width / 2}" y="${
      top - 10
    }" text-anchor="middle" font-weight="bold">80% interval coverage</text>`,
    `<text x="${x0 + width / 2}" y="${
      top + height + 32
    }" text-anchor="middle">decile of predicted interval width (narrow to wide)</text>`,
    `<text transform="translate(${x0 - 44},${
      top + height / 2
    }) rotate(-90)" text-anchor="middle">share of true values inside</text>`,
  ]
  for (const tick of [0, 0.2, 0.4, 0.6, 0.8, 1]) {
    parts.push(
      `<text x="${x0 - 6}" y="${fmt(sy(tick) + 4)}" text-anchor="end">${tick.toFixed(1)}</text>`,
    )
  }
  for (let decile = 0; decile < 10; decile++) {
    parts.push(
      `<text x="${fmt(sx(decile))}" y="${top + height + 14}" text-anchor="middle">${
        decile + 1
      }</text>`,
    )
  }
  parts.push(
    `<rect x="${x0}" y="${fmt(sy(0.85))}" width="${width}" height="${
      fmt(sy(0.75) - sy(0.85))
    }" fill="#ddd" fill-opacity="0.6"/>`,
    `<line x1="${x0}" y1="${fmt(sy(0.8))}" x2="${x0 + width}" y2="${
      fmt(sy(0.8))
    }" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`,
  )
  for (const [rule, rows] of byRule) {
    const sorted = [...rows].sort((a, b) =>
      (a.model.high - a.model.low) - (b.model.high - b.model.low)
    )
    const points: string[] = []
    for (let decile = 0; decile < 10; decile++) {
      const slice = sorted.slice(
        Math.floor((decile * sorted.length) / 10),
        Math.floor(((decile + 1) * sorted.length) / 10),
      )
      if (slice.length === 0) continue
      const covered = slice.filter((row) =>
        row.truth >= row.model.low && row.truth <= row.model.high
      ).length / slice.length
      points.push(`${fmt(sx(decile))},${fmt(sy(covered))}`)
    }
    parts.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${
        RULE_COLORS[rule]
      }" stroke-width="2"/>`,
      ...points.map((point) => {
        const [cx, cy] = point.split(',')
        return `<circle cx="${cx}" cy="${cy}" r="3" fill="${RULE_COLORS[rule]}"/>`
      }),
    )
  }
  return parts
}

/** One labelled bar of a bar panel, with an optional second (baseline) bar beside it. */
interface Bar {
  label: string
  value: number
  baseline?: number
}

/** A bar panel: bars from 0 to `max`, a target band, a reference line. */
function barPanel(
  x0: number,
  panel: {
    title: string
    yLabel: string
    bars: readonly Bar[]
    max: number
    band?: readonly [number, number]
    reference?: number
  },
) {
  const { width, height, top } = PANEL
  const sy = (value: number) => top + height - (value / panel.max) * height
  const slot = width / panel.bars.length
  const parts = [
    `<rect x="${x0}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + width / 2}" y="${top - 10}" text-anchor="middle" font-weight="bold">${
      escapeXml(panel.title)
    }</text>`,
    `<text transform="translate(${x0 - 44},${top + height / 2}) rotate(-90)" text-anchor="middle">${
      escapeXml(panel.yLabel)
    }</text>`,
  ]
  for (let i = 0; i <= 4; i++) {
    const tick = (panel.max * i) / 4
    parts.push(
      `<text x="${x0 - 6}" y="${fmt(sy(tick) + 4)}" text-anchor="end">${
        panel.max < 0.1 ? tick.toFixed(3) : tick.toFixed(2)
      }</text>`,
    )
  }
  if (panel.band) {
    parts.push(
      `<rect x="${x0}" y="${fmt(sy(panel.band[1]))}" width="${width}" height="${
        fmt(sy(panel.band[0]) - sy(panel.band[1]))
      }" fill="#ddd" fill-opacity="0.6"/>`,
    )
  }
  panel.bars.forEach((bar, i) => {
    const hasBaseline = bar.baseline !== undefined
    const barWidth = slot * (hasBaseline ? 0.35 : 0.6)
    const left = x0 + i * slot + slot * (hasBaseline ? 0.12 : 0.2)
    const value = Math.min(bar.value, panel.max)
    parts.push(
      `<rect x="${fmt(left)}" y="${fmt(sy(value))}" width="${fmt(barWidth)}" height="${
        fmt(sy(0) - sy(value))
      }" fill="${COLORS.model}"/>`,
      `<text x="${fmt(left + barWidth / 2)}" y="${
        fmt(sy(value) - 3)
      }" text-anchor="middle" font-size="9">${
        bar.value < 0.1 ? bar.value.toFixed(4) : bar.value.toFixed(3)
      }</text>`,
    )
    if (hasBaseline) {
      const base = Math.min(bar.baseline as number, panel.max)
      parts.push(
        `<rect x="${fmt(left + barWidth + 2)}" y="${fmt(sy(base))}" width="${
          fmt(barWidth)
        }" height="${fmt(sy(0) - sy(base))}" fill="${COLORS.baseline}"/>`,
      )
    }
    parts.push(
      `<text x="${fmt(x0 + (i + 0.5) * slot)}" y="${
        top + height + 14
      }" text-anchor="middle" font-size="9">${escapeXml(bar.label)}</text>`,
    )
  })
  if (panel.reference !== undefined) {
    parts.push(
      `<line x1="${x0}" y1="${fmt(sy(panel.reference))}" x2="${x0 + width}" y2="${
        fmt(sy(panel.reference))
      }" stroke="${COLORS.target}" stroke-dasharray="4 3"/>`,
    )
  }
  return parts
}

const TERCILE_NAMES = ['short lags', 'middle lags', 'long lags']

/** The stress worlds' panels: coverage by rule and lag tercile, MAE by rule. */
function worldsPanels(x0: number, worlds: WorldsEvaluation) {
  const coverage = barPanel(x0, {
    title: 'stress worlds: 80% coverage',
    yLabel: 'share of true values inside',
    bars: [
      ...worlds.model.map((report) => ({ label: report.publication, value: report.coverage80 })),
      ...worlds.lagTerciles.map((tercile) => ({
        label: TERCILE_NAMES[tercile.tercile] ?? `tercile ${tercile.tercile + 1}`,
        value: tercile.coverage80,
      })),
    ],
    max: 1,
    band: [0.77, 0.83],
    reference: 0.8,
  })
  const maxMae = Math.max(
    ...worlds.model.map((report) => report.meanAbsoluteError),
    ...worlds.baseline.map((report) => report.meanAbsoluteError),
  )
  const mae = barPanel(x0 + PANEL.width + PANEL.gap, {
    title: 'stress worlds: MAE by rule',
    yLabel: 'mean absolute error per $1',
    bars: worlds.model.map((report) => ({
      label: report.publication,
      value: report.meanAbsoluteError,
      baseline: worlds.baseline.find((base) => base.publication === report.publication)
        ?.meanAbsoluteError,
    })),
    max: Math.ceil(maxMae * 1.25 * 1000) / 1000,
  })
  return [...coverage, ...mae]
}

/** The plot as an SVG document (with the stress worlds' panels when `worlds` is given). */
export function evaluationPlotSvg(
  scored: readonly ScoredGameDay[],
  title: string,
  worlds?: WorldsEvaluation,
): string {
  const byRule = new Map<PublicationRule, ScoredGameDay[]>()
  for (const row of scored) {
    const rows = byRule.get(row.publication) ?? []
    rows.push(row)
    byRule.set(row.publication, rows)
  }
  const panels: string[] = []
  let x0 = PANEL.left
  for (const [rule, rows] of byRule) {
    panels.push(...scatterPanel(x0, rule, rows))
    x0 += PANEL.width + PANEL.gap
  }
  panels.push(...coveragePanel(x0, byRule))
  if (worlds) {
    x0 += PANEL.width + PANEL.gap
    panels.push(...worldsPanels(x0, worlds))
    x0 += PANEL.width + PANEL.gap
  }
  const width = x0 + PANEL.width + 20
  const height = PANEL.top + PANEL.height + 80
  const legendY = PANEL.top + PANEL.height + 56
  const legend = [
    ['model (median)', COLORS.model],
    ['baseline (standard estimator)', COLORS.baseline],
    ...[...byRule.keys()].map((rule) => [`coverage, ${rule}`, RULE_COLORS[rule]] as const),
  ].map(([label, color], i) =>
    `<rect x="${PANEL.left + i * 220}" y="${
      legendY - 9
    }" width="10" height="10" fill="${color}"/>` +
    `<text x="${PANEL.left + i * 220 + 14}" y="${legendY}">${escapeXml(label)}</text>`
  )
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PANEL.left}" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    ...panels,
    ...legend,
    '</svg>',
    '',
  ].join('\n')
}
