/**
 * Publishing a model: check that the code computes every feature it names, score the reference set and
 * refuse outputs that fail the sanity checks (`sanity-check.ts`) unless forced, upload it to the
 * private Storage bucket `models` (hosted Supabase or the Supabase CLI stack), and register and
 * activate it in `ml_models` in one transaction. On the Docker-free local stack, where there is
 * no Storage service, the registry row points at the file in the repository (`local_file`, local
 * only).
 */
import { readFileSync } from 'node:fs'
import { basename, relative, resolve } from 'node:path'
import type { Sql } from 'postgres'
import { featureNameProblems } from '../../supabase/functions/_shared/scoring/features.ts'
import { sha256Hex } from '../../supabase/functions/_shared/run/model-store.ts'
import { readScoringModelMetadata } from '../../supabase/functions/_shared/onnx/metadata.ts'
import { repoRoot } from '../local-stack/config.ts'
import { activateVersion, type ModelEntry, registerAndActivate } from './registry.ts'
import { checkModelSanity, describeFailures, type SanityReport } from './sanity-check.ts'

/** The bucket every model file goes to. */
export const MODELS_BUCKET = 'models'

/** Where the model file goes. */
export type PublishTarget =
  | { kind: 'storage'; supabaseUrl: string; serviceKey: string; fetch?: typeof fetch }
  | { kind: 'local_file' }

/** What was published. */
export interface PublishedModel {
  version: string
  sha256: string
  storageKind: 'storage' | 'local_file'
  storagePath: string
  /** The reference-set checks (published despite failures only when forced). */
  sanity: SanityReport
}

/**
 * Reads a model file and checks its metadata; throws a clear Error when it cannot be used. A
 * model of an earlier feature set is fine as long as the code still computes what it names.
 */
export function readModelFile(file: string) {
  const bytes = new Uint8Array(readFileSync(file))
  let metadata
  try {
    metadata = readScoringModelMetadata(bytes)
  } catch (error) {
    throw new Error(`Cannot publish ${file}: ${(error as Error).message}`)
  }
  const problem = featureNameProblems(metadata.featureNames)
  if (problem !== null) {
    throw new Error(
      `Cannot publish ${file}: the model ${problem}, which the code cannot compute. ` +
        'Retrain it with npm run train.',
    )
  }
  return { bytes, metadata }
}

/**
 * Stands in for a WebSocket constructor: publishing never opens a realtime channel, but
 * supabase-js builds its realtime client eagerly and, on Node 20 (no global WebSocket), throws
 * unless given a transport.
 */
class RealtimeUnused {
  constructor() {
    throw new Error('Cannot open a realtime connection: the model publisher does not use one')
  }
}

/** A Storage client for the target (service key). */
async function storageClient(target: Extract<PublishTarget, { kind: 'storage' }>) {
  // Imported only for Storage: supabase-js warns on every start under Node 20.
  const { createClient } = await import('@supabase/supabase-js')
  return createClient(target.supabaseUrl, target.serviceKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: RealtimeUnused as unknown as typeof WebSocket },
    ...(target.fetch ? { global: { fetch: target.fetch } } : {}),
  }).storage
}

async function upload(
  target: Extract<PublishTarget, { kind: 'storage' }>,
  path: string,
  bytes: Uint8Array,
) {
  const storage = await storageClient(target)
  const { error } = await storage.from(MODELS_BUCKET).upload(path, bytes, {
    contentType: 'application/octet-stream',
    upsert: true,
  })
  if (error) throw new Error(`Cannot upload ${MODELS_BUCKET}/${path}: ${error.message}`)
}

/**
 * Scores the reference set with the model; throws when its outputs fail the sanity checks, or
 * when the default engine cannot run it, unless `force`.
 */
function sanityOf(
  bytes: Uint8Array,
  metadata: ReturnType<typeof readModelFile>['metadata'],
  force: boolean,
  action = 'publish',
): SanityReport {
  let report: SanityReport
  try {
    report = checkModelSanity(bytes, {
      version: metadata.modelVersion,
      featureNames: metadata.featureNames,
      trainingRanges: metadata.trainingRanges,
      aboveParCalibration: metadata.aboveParCalibration,
    })
  } catch (error) {
    throw new Error(
      `Cannot ${action} ${metadata.modelVersion}: the function's default engine cannot score it ` +
        `(${(error as Error).message})`,
    )
  }
  if (!report.passed && !force) {
    throw new Error(
      `Cannot ${action} ${metadata.modelVersion}: its outputs on ${report.gameDays} reference ` +
        `game-days fail the sanity checks: ${describeFailures(report)}. ` +
        `${action === 'publish' ? 'Publish' : 'Activate'} it anyway with --force.`,
    )
  }
  return report
}

/**
 * Publishes a model file and makes it the active model. Refuses (throws, registers nothing) a
 * model whose reference-set outputs fail the sanity checks, unless `force`.
 */
export async function publishModel(
  sql: Sql,
  options: { file: string; target: PublishTarget; trainedAt?: string | null; force?: boolean },
): Promise<PublishedModel> {
  const file = resolve(options.file)
  const { bytes, metadata } = readModelFile(file)
  const sanity = sanityOf(bytes, metadata, options.force ?? false)
  const sha256 = await sha256Hex(bytes)
  const version = metadata.modelVersion
  let entry: ModelEntry
  if (options.target.kind === 'storage') {
    const storagePath = `${version}.onnx`
    await upload(options.target, storagePath, bytes)
    entry = {
      version,
      storageKind: 'storage',
      storageBucket: MODELS_BUCKET,
      storagePath,
      sha256,
      featureNames: metadata.featureNames,
      metrics: metadata.metrics,
      trainedAt: options.trainedAt ?? null,
    }
  } else {
    const storagePath = relative(repoRoot, file)
    if (storagePath.startsWith('..')) {
      throw new Error(
        `Cannot publish ${basename(file)} as a local file: it is outside the repository`,
      )
    }
    entry = {
      version,
      storageKind: 'local_file',
      storageBucket: MODELS_BUCKET,
      storagePath,
      sha256,
      featureNames: metadata.featureNames,
      metrics: metadata.metrics,
      trainedAt: options.trainedAt ?? null,
    }
  }
  await registerAndActivate(sql, entry)
  return { version, sha256, storageKind: entry.storageKind, storagePath: entry.storagePath, sanity }
}

/** The bytes of a registered version, checked against its registered sha256. */
async function registeredModelBytes(
  sql: Sql,
  version: string,
  target: PublishTarget,
): Promise<Uint8Array> {
  const [row] = await sql<
    { storage_kind: string; storage_bucket: string; storage_path: string; sha256: string }[]
  >`
    select storage_kind, storage_bucket, storage_path, sha256
    from public.ml_models where version = ${version}`
  if (!row) throw new Error(`Cannot activate model ${version}: no such version in ml_models`)
  let bytes: Uint8Array
  if (row.storage_kind === 'local_file') {
    bytes = new Uint8Array(readFileSync(resolve(repoRoot, row.storage_path)))
  } else {
    if (target.kind !== 'storage') {
      throw new Error(
        `Cannot check model ${version} before activating it: it is in Storage ` +
          `(${row.storage_bucket}/${row.storage_path}); set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY`,
      )
    }
    const storage = await storageClient(target)
    const { data, error } = await storage.from(row.storage_bucket).download(row.storage_path)
    if (error || !data) {
      throw new Error(
        `Cannot download ${row.storage_bucket}/${row.storage_path}: ${error?.message ?? 'empty'}`,
      )
    }
    bytes = new Uint8Array(await data.arrayBuffer())
  }
  if (await sha256Hex(bytes) !== row.sha256) {
    throw new Error(`Cannot activate model ${version}: its file does not match its sha256`)
  }
  return bytes
}

/**
 * Makes an already registered version the active model (rollback), after the same sanity check
 * as publishing: the registered file is read (from the repository or Storage), checked against
 * its sha256 and scored on the reference set; refused unless `force`.
 */
export async function activateChecked(
  sql: Sql,
  options: { version: string; target: PublishTarget; force?: boolean },
): Promise<SanityReport> {
  const bytes = await registeredModelBytes(sql, options.version, options.target)
  let metadata
  try {
    metadata = readScoringModelMetadata(bytes)
  } catch (error) {
    throw new Error(`Cannot activate model ${options.version}: ${(error as Error).message}`)
  }
  const sanity = sanityOf(bytes, metadata, options.force ?? false, 'activate')
  await activateVersion(sql, options.version)
  return sanity
}
