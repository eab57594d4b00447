/** Polling for a condition outside a test body (hooks), where `expect.poll` is not allowed. */

/** Resolves once `check` resolves true; rejects naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${options.timeoutMs} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50))
  }
}
