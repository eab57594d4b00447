/** Renders evaluation reports as a fixed-width table for the terminal. */
import type { EvaluationReport } from './evaluation.ts'

const COLUMNS: Array<[string, (report: EvaluationReport) => string]> = [
  ['publication', (r) => r.publication],
  ['portfolios', (r) => String(r.portfolios)],
  ['game-days', (r) => String(r.gameDays)],
  ['refused', (r) => String(r.refused)],
  ['MAE', (r) => r.meanAbsoluteError.toFixed(4)],
  ['bias', (r) => (r.meanError >= 0 ? '+' : '') + r.meanError.toFixed(4)],
  ['spearman/state-day', (r) => r.meanSpearman?.toFixed(3) ?? 'n/a'],
  ['coverage80', (r) => r.coverage80.toFixed(3)],
  ['width80', (r) => r.meanIntervalWidth.toFixed(4)],
  ['printed-payout MAE', (r) => r.printedPayoutMeanAbsoluteError.toFixed(4)],
  ['sold-share MAE', (r) => r.fractionSoldMeanAbsoluteError?.toFixed(4) ?? 'n/a'],
]

/** One header line and one line per report, columns padded to fit. */
export function formatEvaluationReports(reports: readonly EvaluationReport[]): string {
  const rows = [COLUMNS.map(([name]) => name), ...reports.map((r) => COLUMNS.map(([, f]) => f(r)))]
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)))
  return rows.map((row) => row.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ')).join(
    '\n',
  )
}
