/** Progress lines for long work, on stderr so stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(`[scratch-oracle] ${message}\n`)
}
