/** Small helpers for script entry points: is this the script being run, and its command line. */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'

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

/** What a script accepts: each `--name` as a string value or a boolean flag. */
export type CliOptions = Record<string, { type: 'string' | 'boolean' }>

/** The parsed values: strings for string options, booleans for flags; absent ones undefined. */
export type CliValues<T extends CliOptions> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string
}

/**
 * Parses a script's arguments with `node:util` `parseArgs`, strictly: an option the script does
 * not declare (say `--activte` for `--activate`), a missing value or a stray argument is an
 * error that names it and lists what the script accepts, never silently ignored.
 */
export function parseCli<T extends CliOptions>(args: string[], options: T): CliValues<T> {
  try {
    const { values } = parseArgs({
      args,
      options: options as ParseArgsConfig['options'],
      strict: true,
      allowPositionals: false,
    })
    return values as CliValues<T>
  } catch (error) {
    const accepted = Object.entries(options)
      .map(([name, { type }]) => (type === 'string' ? `--${name} <value>` : `--${name}`))
      .join(', ')
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(`${reason}. Accepted: ${accepted || 'no options'}`)
  }
}
