import { describe, expect, it } from 'vitest'
import { addDays, dayOfWeek, daysBetween } from './calendar.ts'

describe('calendar', () => {
  it.each([
    ['2025-01-01', 0, '2025-01-01'],
    ['2025-01-31', 1, '2025-02-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2025-03-01', -1, '2025-02-28'],
    ['2025-01-01', 365, '2026-01-01'],
  ])('addDays(%s, %i) = %s', (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected)
    expect(daysBetween(date, expected)).toBe(days)
  })

  it.each([
    ['1970-01-01', 4],
    ['2025-01-05', 0],
    ['2026-03-31', 2],
    ['1969-12-31', 3],
  ])('dayOfWeek(%s) = %i', (date, expected) => {
    expect(dayOfWeek(date)).toBe(expected)
  })

  it.each(['2025-02-30', '2025-1-01', 'yesterday'])('rejects %s', (date) => {
    expect(() => addDays(date, 1)).toThrow(/^Cannot read date: /)
  })
})
