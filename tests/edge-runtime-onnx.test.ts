/**
 * The ONNX runtime under Supabase Edge Runtime's limits: a real Deno process, with
 * `--preload supabase/functions/score-games/edge-runtime-restrictions.ts` (no SharedArrayBuffer,
 * shared WebAssembly memory refused), the function's import map, and read access only to the
 * fixture and the function's static wasm copy — so the wasm cannot come from node_modules.
 * It must reproduce the trainer's own predictions of the committed fixture model.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { predictInterval } from '../scripts/training/gbm/model.ts'
import { syntheticRegressionData } from '../scripts/training/gbm/synthetic.ts'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { buildFixtureModel, FIXTURE_MODEL_PATH } from '../scripts/build-fixture-model.ts'
import { prepareFunctionAssets } from '../scripts/prepare-function-assets.ts'

const root = fileURLToPath(new URL('..', import.meta.url))
const modelPath = fileURLToPath(FIXTURE_MODEL_PATH)

interface EntryReport {
  sharedArrayBuffer: string
  sharedMemoryError: string | null
  featureCount: number
  expectedReturn: number[]
  p10: number[]
  p90: number[]
}

describe('ONNX inference in Deno under Edge Runtime restrictions', () => {
  const committed = new Uint8Array(readFileSync(modelPath))
  const featureNames = [...FEATURE_NAMES]
  const fixture = buildFixtureModel(featureNames)

  it("the committed fixture is what scripts/build-fixture-model.ts builds for the code's features", () => {
    // On failure: npx tsx scripts/build-fixture-model.ts (trainer, encoder or features changed).
    expect(Buffer.from(committed).equals(Buffer.from(fixture.bytes))).toBe(true)
  })

  it('loads the static wasm, scores a batch and matches the TypeScript prediction', () => {
    const wasmFile = prepareFunctionAssets()
    const rowCount = 500
    const rows = syntheticRegressionData({
      rows: rowCount,
      featureCount: featureNames.length,
      noise: 0,
      seed: 99,
    }).features
    const deno = spawnSync('npx', [
      'deno',
      'run',
      '--node-modules-dir=manual',
      '--preload',
      'supabase/functions/score-games/edge-runtime-restrictions.ts',
      '--config',
      'supabase/functions/score-games/deno.json',
      `--allow-read=${modelPath},${wasmFile}`,
      '--no-prompt',
      'tests/fixtures/edge-runtime-onnx-entry.ts',
      modelPath,
      wasmFile,
    ], {
      cwd: root,
      input: JSON.stringify({ rows: Array.from(rows.values), rowCount }),
      encoding: 'utf8',
      timeout: 90_000,
    })
    expect(deno.stderr).not.toMatch(/error/i)
    expect(deno.status).toBe(0)
    const report = JSON.parse(deno.stdout.trim().split('\n').at(-1) ?? '') as EntryReport

    expect(report.sharedArrayBuffer).toBe('undefined')
    expect(report.sharedMemoryError).toBe('TypeError: Creating a shared memory is not supported')
    expect(report.featureCount).toBe(featureNames.length)

    const expected = predictInterval(fixture.model, rows)
    for (const output of ['expectedReturn', 'p10', 'p90'] as const) {
      expect(report[output]).toHaveLength(rowCount)
      report[output].forEach((value, row) => {
        expect(Math.abs(value - expected[output][row]!)).toBeLessThanOrEqual(1e-5)
      })
    }
  })
})
