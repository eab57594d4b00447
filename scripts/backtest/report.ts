/** The backtest's report as text: one line per day, then the largest day-over-day moves. */
import type { MovementReport, ScoreDifferences } from './movement.ts'

const fixed = (value: number | null | undefined, digits = 4) =>
  value === null || value === undefined ? '-' : value.toFixed(digits)

function differencesText(differences: ScoreDifferences | null): string {
  if (differences === null) return '-'
  return `${fixed(differences.meanAbsChange)} / ${
    fixed(differences.maxAbsChange)
  } (${differences.changed} of ${differences.compared} moved, ${differences.recommendationChanges} labels)`
}

/** The report, for a terminal. */
export function reportText(report: MovementReport, write: boolean): string {
  const lines = [
    `backtest of model ${report.modelVersion} (${
      write ? 'written as backfill runs' : 'dry run: nothing written'
    }); expected return per $1, changes as mean / max |change|`,
    '',
    'day         scored  skipped                 mean return  since the day before' +
    '                         vs the rows stored before',
  ]
  for (const day of report.days) {
    const skipped = Object.entries(day.skipped).map(([reason, count]) => `${reason} ${count}`)
      .join(', ') || '0'
    lines.push(
      `${day.date}  ${String(day.scored).padStart(6)}  ${skipped.padEnd(22)}  ${
        fixed(day.meanExpectedReturn).padStart(11)
      }  ${differencesText(day.sincePreviousDay).padEnd(44)}  ${differencesText(day.vsStored)}`,
    )
  }
  if (report.largestMoves.length > 0) {
    lines.push('', 'largest day-over-day moves:')
    for (const move of report.largestMoves) {
      lines.push(
        `  game ${move.gameId}: ${fixed(move.before)} on ${move.from} -> ${
          fixed(move.after)
        } on ${move.to}`,
      )
    }
  }
  return lines.join('\n')
}
