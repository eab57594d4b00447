/**
 * The concurrency section of docs/benchmarks.md lies between two markers, so each benchmark mode
 * rewrites only its own part: `npm run bench -- --concurrency ...` replaces the section, and the
 * sizes run (which writes the rest of the file) keeps it as it was.
 */

const START = '<!-- concurrency:start (npm run bench -- --concurrency ...) -->'
const END = '<!-- concurrency:end -->'

/** Wraps a section's markdown in its markers. */
export function markedConcurrencySection(markdown: string): string {
  return `${START}\n${markdown}\n${END}`
}

/** The concurrency section of `markdown`, markers included, or null. */
export function concurrencySectionOf(markdown: string): string | null {
  const start = markdown.indexOf(START)
  const end = markdown.indexOf(END)
  return start >= 0 && end > start ? markdown.slice(start, end + END.length) : null
}

/** `markdown` with its concurrency section replaced by `section` (appended when it has none). */
export function withConcurrencySection(markdown: string, section: string): string {
  const current = concurrencySectionOf(markdown)
  if (current !== null) return markdown.replace(current, () => section)
  return `${markdown.trimEnd()}\n\n${section}\n`
}
