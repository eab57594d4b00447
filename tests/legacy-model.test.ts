/**
 * Models of an earlier feature set keep scoring: the committed `gbm-v1` (features-v2, its ONNX
 * file byte for byte as committed) is published and activated with the real CLI, and the real
 * function scores the seeded games with it, building the matrix its metadata asks for by name;
 * then the committed default takes over, and `--activate gbm-v1` rolls back to it. Leaves the
 * registry as it found it.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../scripts/local-stack/config.ts'
import type { FunctionServer } from '../scripts/local-stack/function-server.ts'
import { defaultModelCard } from '../scripts/models/model-cards.ts'
import { activateVersion, activeVersion } from '../scripts/models/registry.ts'
import { readScoringModelMetadata } from '../supabase/functions/_shared/onnx/metadata.ts'
import { sha256Hex } from '../supabase/functions/_shared/run/model-store.ts'
import {
  FEATURE_NAMES,
  LEGACY_FEATURE_NAMES,
} from '../supabase/functions/_shared/scoring/features.ts'
import { connect } from './helpers/database.ts'
import { publishCli } from './helpers/publish.ts'
import { post, serveFunction } from './helpers/function.ts'

const legacyFile = 'model/gbm-v1.onnx'
/** sha256 of gbm-v1.onnx as committed (model/gbm-v1.json). */
const legacySha256 = 'e891edcf12fc51be82100be6f373da92ea0b163f7785c8d828c5d15b18749f7a'

let sql: postgres.Sql
let server: FunctionServer
let activeBefore: string | null
let registeredBefore: string[]

async function scoreSeed(date: string) {
  const { status, body } = await post(server.url, { prediction_date: date, states: ['MN'] })
  expect(status).toBe(200)
  const rows = await sql<
    {
      features: Record<string, number>
      probability_above_par: number | null
      model_version: string
    }[]
  >`
    select features, probability_above_par, model_version from public.predictions
    where run_id = ${body.run_id as string}`
  expect(rows.length).toBe(body.scored)
  expect(rows.length).toBeGreaterThan(20)
  return { body, rows }
}

beforeAll(async () => {
  sql = connect()
  activeBefore = await activeVersion(sql)
  registeredBefore = (await sql<{ version: string }[]>`select version from public.ml_models`)
    .map((row) => row.version)
  server = await serveFunction()
})

afterAll(async () => {
  await server?.stop()
  if (sql) {
    const added = (await sql<{ version: string }[]>`select version from public.ml_models`)
      .map((row) => row.version).filter((version) => !registeredBefore.includes(version))
    await sql`delete from public.predictions where model_version = any(${added}::text[])`
    await sql`delete from public.ml_models where version = any(${added}::text[])`
    if (activeBefore !== null) await activateVersion(sql, activeBefore)
    await sql.end()
  }
})

describe('gbm-v1 (features-v2) after the feature set moved on', () => {
  it('is the committed file, byte for byte, naming features-v2 columns', async () => {
    const bytes = new Uint8Array(readFileSync(join(repoRoot, legacyFile)))
    expect(await sha256Hex(bytes)).toBe(legacySha256)
    const metadata = readScoringModelMetadata(bytes)
    expect(metadata.featureSetVersion).toBe('features-v2')
    expect(metadata.featureNames).toEqual(expect.arrayContaining([...LEGACY_FEATURE_NAMES]))
  })

  it('publishes, activates and scores through the real function', async () => {
    const published = publishCli(['--file', legacyFile])
    expect(published.stderr).toContain('published gbm-v1')
    expect(published.status).toBe(0)
    const { body, rows } = await scoreSeed('2026-12-01')
    expect(body.model_version).toBe('gbm-v1')
    for (const row of rows) {
      expect(Object.keys(row.features).sort()).toEqual(
        [...readScoringModelMetadata(readFileSync(join(repoRoot, legacyFile))).featureNames]
          .sort(),
      )
      expect(row.probability_above_par).toBeGreaterThanOrEqual(0)
      expect(row.probability_above_par).toBeLessThanOrEqual(1)
    }
  })

  it('gives way to the committed default, and comes back with --activate gbm-v1', async () => {
    const card = defaultModelCard()
    expect(card.version).not.toBe('gbm-v1')
    const published = publishCli([])
    expect(published.status).toBe(0)
    const current = await scoreSeed('2026-12-02')
    expect(current.body.model_version).toBe(card.version)
    for (const row of current.rows) {
      expect(Object.keys(row.features).sort()).toEqual([...FEATURE_NAMES].sort())
    }
    const rollback = publishCli(['--activate', 'gbm-v1'])
    expect(rollback.stderr).toContain('model gbm-v1 is now the active model')
    expect(rollback.status).toBe(0)
    const legacy = await scoreSeed('2026-12-03')
    expect(legacy.body.model_version).toBe('gbm-v1')
  })
})
