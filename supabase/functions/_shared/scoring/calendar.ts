/**
 * ISO calendar dates (YYYY-MM-DD) as whole UTC days, free of time zones and of `Deno`/`node:`.
 */

const DAY_MS = 86_400_000

function toUtcDay(isoDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate)
  if (!match) throw new Error(`Cannot read date: ${isoDate} is not YYYY-MM-DD`)
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  const day = time / DAY_MS
  if (new Date(time).toISOString().slice(0, 10) !== isoDate) {
    throw new Error(`Cannot read date: ${isoDate} is not a calendar date`)
  }
  return day
}

/** The date `days` days after `isoDate` (before it when negative). */
export function addDays(isoDate: string, days: number): string {
  return new Date((toUtcDay(isoDate) + days) * DAY_MS).toISOString().slice(0, 10)
}

/** Whole days from `fromDate` to `toDate` (negative when `toDate` is earlier). */
export function daysBetween(fromDate: string, toDate: string): number {
  return toUtcDay(toDate) - toUtcDay(fromDate)
}

/** Day of the week of `isoDate`: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(isoDate: string): number {
  return (((toUtcDay(isoDate) + 4) % 7) + 7) % 7
}
