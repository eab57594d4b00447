/**
 * One version of each package, everywhere: the function resolves its npm imports through its
 * own `deno.json` (as the Supabase CLI bundles it), the local stack and the Node scripts through
 * package.json and package-lock.json. Each must name the same exact version, or the function
 * that is tested is not the function that is deployed.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { repoRoot } from '../local-stack/config.ts'
import { EDGE_RUNTIME_DENO_PACKAGE, EDGE_RUNTIME_DENO_VERSION } from './edge-runtime-deno.ts'

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(repoRoot, path), 'utf8'))

const packageJson = z.object({
  dependencies: z.record(z.string(), z.string()),
  devDependencies: z.record(z.string(), z.string()),
  optionalDependencies: z.record(z.string(), z.string()),
  allowScripts: z.record(z.string(), z.boolean()),
}).parse(readJson('package.json'))
const lock = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional() })),
}).parse(readJson('package-lock.json'))
const functionImports = z.object({ imports: z.record(z.string(), z.string()) })
  .parse(readJson('supabase/functions/score-games/deno.json')).imports

const pinned = {
  ...packageJson.dependencies,
  ...packageJson.devDependencies,
  ...packageJson.optionalDependencies,
}

/** `npm:name@version` (name may be scoped) as [name, version]. */
function npmSpecifier(specifier: string): [string, string] {
  const match = /^npm:(@?[^@]+)@(.+)$/.exec(specifier)
  if (!match) throw new Error(`${specifier} is not an npm:name@version specifier`)
  return [match[1] as string, match[2] as string]
}

describe('dependency pins', () => {
  it.each(Object.entries(functionImports))(
    "the function's import %s pins the version package.json and the lockfile install",
    (bare, specifier) => {
      const [name, version] = npmSpecifier(specifier)
      expect(name).toBe(bare)
      expect(version, 'an exact version, not a range').toMatch(/^\d+\.\d+\.\d+$/)
      expect(pinned[name], `package.json pins ${name}`).toBe(version)
      expect(lock.packages[`node_modules/${name}`]?.version, 'package-lock.json installs it').toBe(
        version,
      )
    },
  )

  it('package.json pins exact versions only (no ranges)', () => {
    for (const [name, version] of Object.entries(pinned)) {
      expect(version.replace(/^npm:@?[^@]+@/, ''), name).toMatch(/^\d+\.\d+\.\d+$/)
    }
  })

  it('onnxruntime-web (only for the optional engine) is not a production dependency', () => {
    expect(packageJson.dependencies).not.toHaveProperty('onnxruntime-web')
    expect(packageJson.devDependencies).toHaveProperty('onnxruntime-web')
  })

  it('the Supabase CLI is pinned, its install script (a download from GitHub) never runs in npm ci', () => {
    expect(packageJson.devDependencies.supabase).toMatch(/^\d+\.\d+\.\d+$/)
    expect(lock.packages['node_modules/supabase']?.version).toBe(
      packageJson.devDependencies.supabase,
    )
    expect(packageJson.allowScripts.supabase).toBe(false)
  })

  it('the Deno the Edge Runtime embeds is pinned to its version', () => {
    expect(packageJson.optionalDependencies[EDGE_RUNTIME_DENO_PACKAGE]).toBe(
      `npm:@deno/linux-x64-glibc@${EDGE_RUNTIME_DENO_VERSION}`,
    )
    expect(lock.packages[`node_modules/${EDGE_RUNTIME_DENO_PACKAGE}`]?.version).toBe(
      EDGE_RUNTIME_DENO_VERSION,
    )
  })
})
