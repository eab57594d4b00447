/**
 * The function as the Supabase CLI bundles and deploys it: only `supabase/functions/` in view
 * (copied to a temporary folder, no package.json, no node_modules), `DENO_NO_PACKAGE_JSON=1`, and
 * the function's own `deno.json` as config and import map, so every npm import resolves from
 * that file alone (from Deno's cache, or the npm registry on first use). It must type-check and
 * serve a scoring request on the local stack's Deno and on the Deno the Edge Runtime embeds.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, supabaseDir } from '../scripts/local-stack/config.ts'
import { startFunctionServer } from '../scripts/local-stack/function-server.ts'
import { type DenoCommand, edgeRuntimeDeno, localDeno } from '../scripts/lib/edge-runtime-deno.ts'
import { connect } from './helpers/database.ts'
import { activateFixtureModel, removeModel } from './helpers/fixture-model.ts'
import { post } from './helpers/function.ts'
import { seedLoadDay } from './helpers/seed-dates.ts'

const modelVersion = 'fixture-cli-shaped'
const localDenoVersion = '2.9.6'

let sql: postgres.Sql

beforeAll(async () => {
  sql = connect()
  await activateFixtureModel(sql, modelVersion)
})

afterAll(async () => {
  await removeModel(sql, modelVersion)
  await sql.end()
})

/** A copy of `supabase/functions/` alone, with an entry that applies the Edge Runtime's limits. */
function functionsOnlyCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'score-games-cli-'))
  cpSync(join(supabaseDir, 'functions'), join(dir, 'supabase', 'functions'), {
    recursive: true,
    filter: (source) => !source.endsWith('deno.lock') && !source.includes('/wasm/'),
  })
  // Deno 2.1 has no --preload: the limits load first from a module of their own.
  writeFileSync(
    join(dir, 'edge-entry.ts'),
    "import './supabase/functions/score-games/edge-runtime-restrictions.ts'\n" +
      "await import('./supabase/functions/score-games/index.ts')\n",
  )
  return dir
}

const cliEnv = { ...process.env, DENO_NO_PACKAGE_JSON: '1', NO_COLOR: '1' }
const config = 'supabase/functions/score-games/deno.json'

describe.each([
  localDeno(localDenoVersion),
  edgeRuntimeDeno(),
])('score-games with only supabase/functions/ in view, on $label', (deno: DenoCommand) => {
  let dir: string

  beforeAll(() => {
    dir = functionsOnlyCopy()
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  it(`is Deno ${deno.version}`, () => {
    const version = execFileSync(deno.command, ['--version'], {
      encoding: 'utf8',
    })
    expect(version).toContain(`deno ${deno.version}`)
  })

  it('type-checks with DENO_NO_PACKAGE_JSON=1 and the function deno.json as config', () => {
    const check = spawnSync(deno.command, [
      'check',
      '--config',
      config,
      'supabase/functions/score-games/index.ts',
    ], { cwd: dir, env: cliEnv, encoding: 'utf8', timeout: 180_000 })
    expect(check.stderr).not.toMatch(/error/i)
    expect(check.status).toBe(0)
  })

  it('serves a scoring request', async () => {
    const server = await startFunctionServer({
      port: 54_361,
      env: { DENO_NO_PACKAGE_JSON: '1', SCORER_LOCAL_MODEL_ROOT: repoRoot },
      deno: {
        command: deno.command,
        args: [
          'run',
          '--quiet',
          '--config',
          config,
          '--v8-flags=--max-old-space-size=256',
          '--allow-net',
          '--allow-env',
          '--allow-read',
          '--allow-sys',
          'edge-entry.ts',
        ],
        cwd: dir,
      },
    })
    try {
      const day = await seedLoadDay(sql)
      const [active] = await sql<{ count: number }[]>`
        select count(*)::int as count from public.games where is_active`
      const { status, body } = await post(server.url, { prediction_date: day, dry_run: true })
      expect(status).toBe(200)
      expect(body.model_version).toBe(modelVersion)
      expect(body.scored).toBe(active?.count)
      expect(server.output()).toContain('[edge-runtime-restrictions] applied')
    } finally {
      await server.stop()
    }
  })
})
