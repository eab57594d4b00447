/**
 * Publishing models against the real local Postgres: register + activate in one step, a second
 * version taking over, rollback with `activateVersion`, refusals (unknown version, feature names
 * that differ from the code's), the Storage upload request (checked with a fetch stub passed as
 * `target.fetch`: there is no Storage service on the Docker-free stack), and the CLI as a child
 * process. Leaves the registry as it found it: every version it creates is deleted and the model
 * active before (if any) is active again.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildFixtureModel } from '../scripts/build-fixture-model.ts'
import { repoRoot } from '../scripts/local-stack/config.ts'
import { activateVersion, activeVersion } from '../scripts/models/registry.ts'
import { MODELS_BUCKET, publishModel } from '../scripts/models/publish.ts'
import { FEATURE_NAMES } from '../supabase/functions/_shared/scoring/features.ts'
import { sha256Hex } from '../supabase/functions/_shared/run/model-store.ts'
import { connect } from './helpers/database.ts'
import { publishCli } from './helpers/publish.ts'
import { activateLocalModel, writeConstantModel } from './helpers/fixture-model.ts'

const fixtureFile = 'tests/fixtures/tiny-model.onnx'
const fixtureVersion = 'fixture-tiny'
const secondVersion = 'publish-test-second'
const storageVersion = 'publish-test-storage'
const mismatchVersion = 'publish-test-mismatch'
const failedUploadVersion = 'publish-test-failed-upload'
const failingVersion = 'publish-test-failing-sanity'
const createdVersions = [
  fixtureVersion,
  secondVersion,
  storageVersion,
  mismatchVersion,
  failedUploadVersion,
  failingVersion,
]
const modelDir = join(repoRoot, '.local', 'test-models')

let sql: postgres.Sql
let activeBefore: string | null

/** Writes a fixture model with `version` under .local/test-models (inside the repository). */
function writeFixtureModel(version: string, featureNames: readonly string[] = FEATURE_NAMES) {
  const file = join(modelDir, `${version}.onnx`)
  const { bytes } = buildFixtureModel(featureNames, { modelVersion: version })
  writeFileSync(file, bytes)
  return { file, bytes }
}

interface RegistryRow {
  version: string
  storage_kind: string
  storage_bucket: string
  storage_path: string
  sha256: string
  feature_names: string[]
  is_active: boolean
}

async function registryRow(version: string): Promise<RegistryRow | undefined> {
  const [row] = await sql<RegistryRow[]>`
    select version, storage_kind, storage_bucket, storage_path, sha256, feature_names, is_active
    from public.ml_models where version = ${version}`
  return row
}

beforeAll(async () => {
  sql = connect()
  activeBefore = await activeVersion(sql)
  mkdirSync(modelDir, { recursive: true })
})

afterAll(async () => {
  if (sql) {
    await sql`delete from public.ml_models where version = any(${createdVersions}::text[])`
    if (activeBefore !== null && !createdVersions.includes(activeBefore)) {
      await activateVersion(sql, activeBefore)
    }
    await sql.end()
  }
  for (const version of createdVersions) rmSync(join(modelDir, `${version}.onnx`), { force: true })
})

describe('publishModel and the model registry', () => {
  it('publishes the fixture as a local file and makes it the active model', async () => {
    const published = await publishModel(sql, {
      file: join(repoRoot, fixtureFile),
      target: { kind: 'local_file' },
    })
    const sha256 = await sha256Hex(new Uint8Array(readFileSync(join(repoRoot, fixtureFile))))
    expect(published).toEqual({
      version: fixtureVersion,
      sha256,
      storageKind: 'local_file',
      storagePath: fixtureFile,
      sanity: expect.objectContaining({ passed: true, gameDays: 1094 }),
    })
    expect(await activeVersion(sql)).toBe(fixtureVersion)
    expect(await registryRow(fixtureVersion)).toMatchObject({
      storage_kind: 'local_file',
      storage_path: fixtureFile,
      sha256,
      feature_names: [...FEATURE_NAMES],
      is_active: true,
    })
  })

  it('makes a newly published second version the only active one', async () => {
    const { file } = writeFixtureModel(secondVersion)
    const published = await publishModel(sql, { file, target: { kind: 'local_file' } })
    expect(published.storagePath).toBe(relative(repoRoot, file))
    expect(await activeVersion(sql)).toBe(secondVersion)
    const active = await sql`select version from public.ml_models where is_active`
    expect(active.map((row) => row.version)).toEqual([secondVersion])
    expect((await registryRow(fixtureVersion))?.is_active).toBe(false)
  })

  it('rolls back to the first version with activateVersion', async () => {
    await activateVersion(sql, fixtureVersion)
    expect(await activeVersion(sql)).toBe(fixtureVersion)
    expect((await registryRow(secondVersion))?.is_active).toBe(false)
  })

  it('refuses to activate an unknown version and keeps the active model', async () => {
    await expect(activateVersion(sql, 'no-such-model-v0')).rejects.toThrow(
      'Cannot activate model no-such-model-v0: no such version in ml_models',
    )
    expect(await activeVersion(sql)).toBe(fixtureVersion)
  })

  it('rejects a model asking for a feature the code cannot compute and registers nothing', async () => {
    const { file } = writeFixtureModel(mismatchVersion, [...FEATURE_NAMES.slice(1), 'made_up'])
    await expect(publishModel(sql, { file, target: { kind: 'local_file' } })).rejects.toThrow(
      'the model asks for unknown features made_up, which the code cannot compute',
    )
    expect(await registryRow(mismatchVersion)).toBeUndefined()
    expect(await activeVersion(sql)).toBe(fixtureVersion)
  })

  it('uploads to the models bucket in Storage and registers a storage row', async () => {
    const { file, bytes } = writeFixtureModel(storageVersion)
    const requests: Request[] = []
    const stubFetch: typeof fetch = (input, init) => {
      requests.push(new Request(input, init))
      return Promise.resolve(
        Response.json({ Key: `${MODELS_BUCKET}/${storageVersion}.onnx`, Id: 'stub-id' }),
      )
    }
    const supabaseUrl = 'http://127.0.0.1:54321'
    const serviceKey = 'service-role-key-for-test'
    const published = await publishModel(sql, {
      file,
      target: { kind: 'storage', supabaseUrl, serviceKey, fetch: stubFetch },
      trainedAt: '2026-11-27T00:00:00.000Z',
    })

    expect(requests).toHaveLength(1)
    const [request] = requests as [Request]
    expect(request.method).toBe('POST')
    expect(request.url).toBe(`${supabaseUrl}/storage/v1/object/models/${storageVersion}.onnx`)
    expect(request.headers.get('authorization')).toBe(`Bearer ${serviceKey}`)
    expect(request.headers.get('x-upsert')).toBe('true')
    expect(new Uint8Array(await request.arrayBuffer())).toEqual(bytes)

    expect(published).toMatchObject({
      version: storageVersion,
      storageKind: 'storage',
      storagePath: `${storageVersion}.onnx`,
    })
    expect(await registryRow(storageVersion)).toMatchObject({
      storage_kind: 'storage',
      storage_bucket: MODELS_BUCKET,
      storage_path: `${storageVersion}.onnx`,
      sha256: await sha256Hex(bytes),
      is_active: true,
    })
  })

  it('registers nothing when the Storage upload fails', async () => {
    const failingFetch: typeof fetch = () =>
      Promise.resolve(
        Response.json({ statusCode: '403', error: 'Unauthorized', message: 'invalid signature' }, {
          status: 403,
        }),
      )
    const activeNow = await activeVersion(sql)
    const { file } = writeFixtureModel(failedUploadVersion)
    await expect(publishModel(sql, {
      file,
      target: {
        kind: 'storage',
        supabaseUrl: 'http://127.0.0.1:54321',
        serviceKey: 'wrong-key',
        fetch: failingFetch,
      },
    })).rejects.toThrow(`Cannot upload ${MODELS_BUCKET}/${failedUploadVersion}.onnx`)
    expect(await registryRow(failedUploadVersion)).toBeUndefined()
    expect(await activeVersion(sql)).toBe(activeNow)
  })
})

describe('npm run model:publish (CLI)', () => {
  it('publishes a file to the local stack and makes it active', async () => {
    const result = publishCli(['--file', fixtureFile])
    expect(result.stderr).toContain(`published ${fixtureVersion}`)
    expect(result.status).toBe(0)
    expect(await activeVersion(sql)).toBe(fixtureVersion)
  })

  it('switches back to an earlier version with --activate', async () => {
    const result = publishCli(['--activate', secondVersion])
    expect(result.stderr).toContain(`model ${secondVersion} is now the active model`)
    expect(result.status).toBe(0)
    expect(await activeVersion(sql)).toBe(secondVersion)
  })

  it('checks a version before activating it, as publishing does: --force is the only bypass', async () => {
    // Registered without the check (as a forced publish would), then rolled back from.
    const path = writeConstantModel(failingVersion, { expectedReturn: 3, p10: 2.5, p90: 3.5 })
    await activateLocalModel(sql, { version: failingVersion, path })
    await activateVersion(sql, secondVersion)

    const refused = publishCli(['--activate', failingVersion])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toContain(
      `Cannot activate ${failingVersion}: its outputs on 1094 reference game-days fail the ` +
        'sanity checks: share at or above $1 per $1 1 (at most 0.05)',
    )
    expect(refused.stderr).toContain('Activate it anyway with --force.')
    expect(await activeVersion(sql)).toBe(secondVersion)

    const forced = publishCli(['--activate', failingVersion, '--force'])
    expect(forced.status, forced.stderr).toBe(0)
    expect(forced.stderr).toContain('FAILED, activated because of --force')
    expect(await activeVersion(sql)).toBe(failingVersion)
    await activateVersion(sql, secondVersion)
  })

  it('refuses to activate a version whose file no longer matches its sha256', async () => {
    await sql`update public.ml_models set sha256 = ${'f'.repeat(64)}
      where version = ${failingVersion}`
    const result = publishCli(['--activate', failingVersion, '--force'])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(
      `Cannot activate model ${failingVersion}: its file does not match its sha256`,
    )
    expect(await activeVersion(sql)).toBe(secondVersion)
  })

  it('fails with a clear message for an unknown version', async () => {
    const result = publishCli(['--activate', 'no-such-model-v0'])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(
      'Cannot activate model no-such-model-v0: no such version in ml_models',
    )
    expect(await activeVersion(sql)).toBe(secondVersion)
  })
})
