/**
 * The Deno that hosted Supabase Edge Runtime embeds (the Deno 2.1 line, 2.1.4; no upgrade is
 * planned), so tests also run the function on it while the local stack runs the newer `deno`
 * devDependency. It is installed from the npm registry as the platform package of the npm
 * package `deno` (`@deno/linux-x64-glibc@2.1.4`, aliased `deno-edge-runtime-linux-x64` in
 * package.json): the package `deno@2.1.4` itself would also install a `deno` command, which
 * takes `node_modules/.bin/deno` from the local stack's Deno, and its other platforms' packages
 * are not on the registry this project installs from, so the lockfile could not hold them.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from '../local-stack/config.ts'

/** The Deno version of Supabase's Edge Runtime. */
export const EDGE_RUNTIME_DENO_VERSION = '2.1.4'

/** The alias in package.json (optionalDependencies) of the Edge Runtime's Deno for this machine. */
export const EDGE_RUNTIME_DENO_PACKAGE = 'deno-edge-runtime-linux-x64'

/** A Deno executable a test runs. */
export interface DenoCommand {
  /** What a test calls it, e.g. `Deno 2.1.4 (Supabase Edge Runtime)`. */
  label: string
  version: string
  command: string
}

/** The local stack's Deno (the `deno` devDependency). */
export function localDeno(version: string): DenoCommand {
  return {
    label: `Deno ${version} (local stack)`,
    version,
    command: join(repoRoot, 'node_modules', '.bin', 'deno'),
  }
}

/** The Edge Runtime's Deno; throws naming the package when it is not installed. */
export function edgeRuntimeDeno(): DenoCommand {
  const command = join(repoRoot, 'node_modules', EDGE_RUNTIME_DENO_PACKAGE, 'deno')
  if (!existsSync(command)) {
    throw new Error(
      `Cannot run Deno ${EDGE_RUNTIME_DENO_VERSION}: ${EDGE_RUNTIME_DENO_PACKAGE} is not ` +
        'installed (npm ci installs it on linux-x64 only)',
    )
  }
  return {
    label: `Deno ${EDGE_RUNTIME_DENO_VERSION} (Supabase Edge Runtime)`,
    version: EDGE_RUNTIME_DENO_VERSION,
    command,
  }
}
