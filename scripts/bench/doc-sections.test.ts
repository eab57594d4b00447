import { describe, expect, it } from 'vitest'
import {
  concurrencySectionOf,
  markedConcurrencySection,
  withConcurrencySection,
} from './doc-sections.ts'

describe('the concurrency section of docs/benchmarks.md', () => {
  const section = markedConcurrencySection('## Concurrent requests\n\n| N |')

  it('is appended to a document without one, and found again', () => {
    const doc = withConcurrencySection('# Benchmarks\n\ntext\n', section)
    expect(doc).toBe(`# Benchmarks\n\ntext\n\n${section}\n`)
    expect(concurrencySectionOf(doc)).toBe(section)
  })

  it('replaces only itself, keeping what is around it (even $ signs)', () => {
    const doc = `# A\n\n${section}\n\n## After\n`
    const next = markedConcurrencySection('## Concurrent requests\n\n| 16 | $1 |')
    expect(withConcurrencySection(doc, next)).toBe(`# A\n\n${next}\n\n## After\n`)
  })

  it('is null when absent', () => {
    expect(concurrencySectionOf('# Benchmarks')).toBeNull()
  })
})
