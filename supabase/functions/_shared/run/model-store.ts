/**
 * The active model: its registry row, its bytes (Supabase Storage, or a local file on the
 * Docker-free stack), checked against the registry's sha256 and against the features the code can
 * compute (a model names its columns; an older feature set's are still computed by name), and
 * its ONNX graph loaded once per sha256 (module scope) so warm invocations reuse it.
 *
 * Two engines run the graph with the same outputs (tests check both against each other):
 * `tree-ensemble` (default), a TypeScript runtime of the `TreeEnsembleRegressor` graphs the
 * trainer writes, and `onnxruntime-web` 1.18 (single-threaded wasm). The default exists because
 * onnxruntime-web's first session costs ~1.3 s of CPU and ~330 MB of peak RSS (compiling its
 * 10 MB wasm) before a row is scored, too much for one Edge Function invocation
 * (docs/benchmarks.md).
 *
 * The model's training ranges (`training_ranges` in its ONNX metadata, else the documented
 * defaults of `scoring/plausibility.ts`) come with it, for the plausibility guards. A
 * `local_file` model's path must stay inside the local model root (see {@link localModelPath}).
 */
import type { Sql } from 'postgres'
import { z } from 'zod'
import { ScoringError } from '../http/errors.ts'
import type { AboveParCalibration } from '../scoring/above-par.ts'
import { type FeatureColumns, featureColumns, featureNameProblems } from '../scoring/features.ts'
import { describeFeatureNameMismatch, readScoringModelMetadata } from '../onnx/metadata.ts'
import type { ModelOutputs } from '../onnx/runtime.ts'
import { loadTreeEnsembleModel, predictTreeEnsembles } from '../onnx/tree-ensemble.ts'
import { DEFAULT_TRAINING_RANGES, type TrainingRanges } from '../scoring/plausibility.ts'

const registryRow = z.object({
  version: z.string(),
  storage_kind: z.enum(['storage', 'local_file']),
  storage_bucket: z.string(),
  storage_path: z.string(),
  sha256: z.string(),
  feature_names: z.array(z.string()),
})

/** The active model's registry row. */
export type RegistryEntry = z.infer<typeof registryRow>

/** Where model bytes come from; the Edge Function and the tests each provide one. */
export interface ModelSource {
  /** Downloads `path` from a private Storage bucket; resolves null when the object is missing. */
  fromStorage(bucket: string, path: string): Promise<Uint8Array | null>
  /** Reads a repository file (local stack only); resolves null when it does not exist. */
  fromLocalFile?(path: string): Promise<Uint8Array | null>
  /**
   * What runs the ONNX graph: `tree-ensemble` (default; `onnx/tree-ensemble.ts`, no wasm) or
   * `onnxruntime-web` (1.18, single-threaded wasm shipped as a static file, `wasmFile`).
   */
  engine?: ModelEngine
  /** onnxruntime-web's `ort-wasm-simd.wasm`; undefined uses the package's own copy (Node). */
  wasmFile?: string | URL
}

/** The two ways to run a model's ONNX graph; both give the same outputs (tests check). */
export type ModelEngine = 'tree-ensemble' | 'onnxruntime-web'

/** Scores rows with a loaded model. */
type Predict = (rows: Float32Array, rowCount: number) => Promise<ModelOutputs>

async function loadPredictor(bytes: Uint8Array, source: ModelSource): Promise<Predict> {
  if (source.engine === 'onnxruntime-web') {
    // Imported on demand: the default engine never loads onnxruntime-web at all.
    const runtime = await import('../onnx/runtime.ts')
    const session = await runtime.createModelSession(bytes, { wasmFile: source.wasmFile })
    return (rows, rowCount) => runtime.predictBatch(session, rows, rowCount)
  }
  const model = loadTreeEnsembleModel(bytes)
  return (rows, rowCount) => Promise.resolve(predictTreeEnsembles(model, rows, rowCount))
}

/** A model ready to score. */
export interface ActiveModel {
  version: string
  sha256: string
  /** The columns the model reads, in its order. */
  columns: FeatureColumns
  /** Its probability_above_par map (null for models trained before there was one). */
  aboveParCalibration: AboveParCalibration | null
  predict(rows: Float32Array, rowCount: number): Promise<ModelOutputs>
  /** The ranges of its training inputs: the model's own, or the documented defaults. */
  trainingRanges: TrainingRanges
  trainingRangesSource: 'model' | 'default'
}

/** A loaded model file: its predictor and what its metadata says about its training. */
interface LoadedModel {
  predict: Predict
  trainingRanges: TrainingRanges
  trainingRangesSource: 'model' | 'default'
  aboveParCalibration: AboveParCalibration | null
}

function unavailable(code: string, message: string): ScoringError {
  return new ScoringError(code, 503, message)
}

/** Hex SHA-256 of bytes (Web Crypto: Deno, Node and Edge Runtime). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** The registry row of the active model; 503 `no_active_model` when there is none. */
export async function readActiveModel(sql: Sql): Promise<RegistryEntry> {
  const rows = await sql`
    select version, storage_kind, storage_bucket, storage_path, sha256, feature_names
    from public.ml_models
    where is_active`
  const row = rows[0]
  if (!row) {
    throw unavailable('no_active_model', 'No active model: publish one with npm run model:publish')
  }
  return registryRow.parse(row)
}

/**
 * The columns of the model of a registry row; 503 `model_feature_mismatch` when it asks for a
 * feature the code cannot compute.
 */
export function modelColumns(entry: RegistryEntry): FeatureColumns {
  const problem = featureNameProblems(entry.feature_names)
  if (problem !== null) {
    throw unavailable(
      'model_feature_mismatch',
      `Cannot use model ${entry.version}: its registry row ${problem}`,
    )
  }
  return featureColumns(entry.feature_names)
}

/**
 * A `local_file` model's path as the local stack reads it, relative to the model root, or null
 * when it could leave that root or is no ONNX file: absolute, a `..` segment, a backslash, a NUL,
 * an empty segment, or not ending in `.onnx`. (The reader also refuses a path whose real
 * location, symbolic links resolved, is outside the root.)
 */
export function localModelPath(storagePath: string): string | null {
  const segments = storagePath.split('/')
  const refused = storagePath.startsWith('/') || /[\\\0]/.test(storagePath) ||
    !storagePath.endsWith('.onnx') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..')
  return refused ? null : segments.join('/')
}

async function downloadModel(entry: RegistryEntry, source: ModelSource): Promise<Uint8Array> {
  const location = `${entry.storage_bucket}/${entry.storage_path}`
  let bytes: Uint8Array | null
  if (entry.storage_kind === 'local_file') {
    if (!source.fromLocalFile) {
      throw unavailable(
        'model_not_found',
        `Cannot load model ${entry.version}: local_file models exist only on the local stack`,
      )
    }
    const path = localModelPath(entry.storage_path)
    if (path === null) {
      throw unavailable(
        'model_path_refused',
        `Cannot load model ${entry.version}: local_file path ${entry.storage_path} is not an ` +
          '.onnx file inside the local model root',
      )
    }
    bytes = await source.fromLocalFile(path)
  } else {
    bytes = await source.fromStorage(entry.storage_bucket, entry.storage_path)
  }
  if (bytes === null) {
    const where = entry.storage_kind === 'local_file' ? entry.storage_path : location
    throw unavailable('model_not_found', `Cannot load model ${entry.version}: ${where} not found`)
  }
  return bytes
}

const sessions = new Map<string, Promise<LoadedModel>>()

/** Loads (or reuses) the model of a registry entry, after every check. */
async function sessionFor(entry: RegistryEntry, source: ModelSource): Promise<LoadedModel> {
  const cached = sessions.get(entry.sha256)
  if (cached) return await cached
  const bytes = await downloadModel(entry, source)
  const actual = await sha256Hex(bytes)
  if (actual !== entry.sha256) {
    throw unavailable(
      'model_checksum_mismatch',
      `Cannot load model ${entry.version}: sha256 ${actual} differs from the registry's ${entry.sha256}`,
    )
  }
  let metadata: ReturnType<typeof readScoringModelMetadata>
  try {
    metadata = readScoringModelMetadata(bytes)
  } catch (error) {
    throw unavailable(
      'model_invalid',
      `Cannot load model ${entry.version}: ${
        error instanceof Error ? error.message : 'unreadable'
      }`,
    )
  }
  const mismatch = describeFeatureNameMismatch(metadata.featureNames, entry.feature_names)
  if (mismatch !== null) {
    throw unavailable(
      'model_feature_mismatch',
      `Cannot use model ${entry.version}: its ONNX metadata ${mismatch} compared with its registry row`,
    )
  }
  const ranges = metadata.trainingRanges
  const aboveParCalibration = metadata.aboveParCalibration ?? null
  const pending = loadPredictor(bytes, source).then((predict): LoadedModel => ({
    predict,
    trainingRanges: ranges ?? DEFAULT_TRAINING_RANGES,
    trainingRangesSource: ranges === undefined ? 'default' : 'model',
    aboveParCalibration,
  }))
  sessions.set(entry.sha256, pending)
  try {
    return await pending
  } catch (error) {
    sessions.delete(entry.sha256)
    throw unavailable(
      'model_invalid',
      `Cannot load model ${entry.version}: ${
        error instanceof Error ? error.message : 'unreadable graph'
      }`,
    )
  }
}

/**
 * The model of a registry row, ready to score. Every failure (a missing object, a sha256
 * mismatch, feature names the code cannot compute or that differ between the registry row and
 * the ONNX metadata, an unreadable file) is a 503 ScoringError.
 */
export async function loadModel(entry: RegistryEntry, source: ModelSource): Promise<ActiveModel> {
  const columns = modelColumns(entry)
  const loaded = await sessionFor(entry, source)
  return { version: entry.version, sha256: entry.sha256, columns, ...loaded }
}

/** The active model, ready to score (503 ScoringError when there is none or it cannot load). */
export async function loadActiveModel(sql: Sql, source: ModelSource): Promise<ActiveModel> {
  return await loadModel(await readActiveModel(sql), source)
}
