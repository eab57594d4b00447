/** Small helpers for script entry points. */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

/** True when the module with this `import.meta.url` is the script being run (not imported). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1]
  return script !== undefined && pathToFileURL(realpathSync(script)).href === moduleUrl
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
