/** Small helpers for script entry points. */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/** True when the module with this `import.meta.url` is the script being run (not imported). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1]
  return script !== undefined && pathToFileURL(realpathSync(script)).href === moduleUrl
}

/**
 * Runs `main` with the command-line arguments when `moduleUrl` is the script Node was started
 * with; a failure prints its message (no stack) and exits with status 1.
 */
export async function runMain(
  moduleUrl: string,
  main: (args: string[]) => unknown,
): Promise<void> {
  if (!isMain(moduleUrl)) return
  try {
    await main(process.argv.slice(2))
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error))
    process.exit(1)
  }
}

/** The value after `--name` in argv, if any. */
export function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`)
  return index >= 0 ? args[index + 1] : undefined
}

/** True when `--name` is in argv. */
export function flag(args: string[], name: string): boolean {
  return args.includes(`--${name}`)
}
