/**
 * `npm run supabase:install` runs the pinned Supabase CLI package's own install script, which
 * downloads the binary from GitHub. The script reads `package.json` from its working directory,
 * so it must run in the package's folder (run from the repository root it read the project's
 * package.json and crashed with a TypeError). Offline by construction: the download goes through
 * a proxy on a closed local port, so the test never fetches anything and must fail with the clear
 * network error, whatever network the machine has.
 */
import { spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './local-stack/config.ts'

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('No port')
  return address.port
}

describe('npm run supabase:install', () => {
  it("runs the CLI package's install script, which fails offline with a network error", async () => {
    const proxy = `http://127.0.0.1:${await closedPort()}`
    const result = spawnSync('npm', ['run', 'supabase:install'], {
      cwd: repoRoot,
      env: { ...process.env, npm_config_https_proxy: proxy, npm_config_proxy: proxy },
      encoding: 'utf8',
      timeout: 60_000,
    })
    const output = `${result.stdout}\n${result.stderr}`
    expect(result.status, output).not.toBe(0)
    expect(output).toContain(
      'FetchError: request to https://github.com/supabase/cli/releases/download/v2.98.2/',
    )
    expect(output).toContain('ECONNREFUSED')
    expect(output).not.toContain('TypeError')
  })
})
