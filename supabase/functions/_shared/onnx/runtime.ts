/**
 * Runs a scoring model with onnxruntime-web's single-threaded WebAssembly backend, in Node (vitest,
 * tsx) and in Deno / Supabase Edge Runtime alike.
 *
 * Why onnxruntime-web 1.18.0: Edge Runtime has no SharedArrayBuffer and refuses shared
 * WebAssembly memory. 1.18 still ships non-threaded binaries (`ort-wasm-simd.wasm`,
 * `ort-wasm.wasm`) and, with `numThreads = 1`, never probes or creates shared memory; 1.19 and
 * later ship only the threaded build, whose memory is shared, so instantiation fails there.
 *
 * Entry point: the bare `onnxruntime-web` import. Node and Deno both resolve its `node` export
 * condition (`dist/ort.node.min.js`, CommonJS, wasm backend only). Its Emscripten loader sees
 * `process.versions.node` in both and reads the `.wasm` file with `fs.readFileSync`, from the
 * package's `dist/` folder unless `env.wasm.wasmPaths` points elsewhere. 1.18 has no
 * `env.wasm.wasmBinary`, so the binary is passed as a file location, not as bytes: the deployed
 * function ships `ort-wasm-simd.wasm` as a static file and passes its URL as `wasmFile`.
 */
import * as ort from 'onnxruntime-web'
import { scoringInputColumns } from './metadata.ts'
import { MODEL_INPUT_NAME, MODEL_OUTPUT_NAMES } from './model-io.ts'

/** The wasm file onnxruntime-web 1.18 loads when WebAssembly SIMD is available (always, in V8). */
export const ORT_WASM_FILE_NAME = 'ort-wasm-simd.wasm'

/** Options of {@link createModelSession}. */
export interface ModelSessionOptions {
  /**
   * Path or `file:` URL of `ort-wasm-simd.wasm`. Omit to use the copy inside the onnxruntime-web
   * package (Node, local Deno). Only the first session of a process decides: onnxruntime-web
   * instantiates its WebAssembly module once.
   */
  wasmFile?: string | URL
}

/** A loaded model, ready for {@link predictBatch}. */
export interface ModelSession {
  /** Columns per input row, from the graph's input shape. */
  featureCount: number
  inferenceSession: ort.InferenceSession
}

/** Model outputs, one value per input row. */
export interface ModelOutputs {
  expectedReturn: Float32Array
  p10: Float32Array
  p90: Float32Array
}

/** Why a model cannot be loaded or run (wraps onnxruntime's own error message). */
export class ModelRuntimeError extends Error {
  override name = 'ModelRuntimeError'
}

function configureWasmBackend(options: ModelSessionOptions): void {
  // One thread and no proxy worker: no SharedArrayBuffer, no Worker, no shared memory.
  ort.env.wasm.numThreads = 1
  ort.env.wasm.proxy = false
  ort.env.wasm.simd = true
  if (options.wasmFile !== undefined) {
    const location = options.wasmFile instanceof URL ? options.wasmFile.href : options.wasmFile
    ort.env.wasm.wasmPaths = { [ORT_WASM_FILE_NAME]: location }
  }
}

/**
 * Creates an inference session from ONNX bytes and checks it has the scoring model's input and
 * outputs. Throws {@link ModelRuntimeError} when the bytes are not such a model.
 */
export async function createModelSession(
  modelBytes: Uint8Array,
  options: ModelSessionOptions = {},
): Promise<ModelSession> {
  let featureCount: number
  try {
    featureCount = scoringInputColumns(modelBytes, (message) => new ModelRuntimeError(message))
  } catch (error) {
    if (error instanceof ModelRuntimeError) throw error
    throw new ModelRuntimeError(`Cannot load model: ${(error as Error).message}`)
  }
  configureWasmBackend(options)
  let inferenceSession: ort.InferenceSession
  try {
    inferenceSession = await ort.InferenceSession.create(modelBytes, {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    })
  } catch (error) {
    throw new ModelRuntimeError(`Cannot load model: ${messageOf(error)}`)
  }
  const missing = Object.values(MODEL_OUTPUT_NAMES).filter((name) =>
    !inferenceSession.outputNames.includes(name)
  )
  if (missing.length > 0) {
    await inferenceSession.release()
    throw new ModelRuntimeError(`Cannot load model: outputs ${missing.join(', ')} are missing`)
  }
  return { featureCount, inferenceSession }
}

/**
 * Scores `rowCount` rows in one batch. `rows` is row-major float32, `featureCount` values per
 * row in the model's feature order. Outputs are the raw model values (the percentiles are not
 * reordered around the point estimate).
 */
export async function predictBatch(
  session: ModelSession,
  rows: Float32Array,
  rowCount: number,
): Promise<ModelOutputs> {
  if (
    !Number.isInteger(rowCount) || rowCount < 0 || rows.length !== rowCount * session.featureCount
  ) {
    throw new ModelRuntimeError(
      `Cannot predict: ${rows.length} values are not ${rowCount} rows of ${session.featureCount} features`,
    )
  }
  if (rowCount === 0) {
    return { expectedReturn: new Float32Array(), p10: new Float32Array(), p90: new Float32Array() }
  }
  const input = new ort.Tensor('float32', rows, [rowCount, session.featureCount])
  let results: ort.InferenceSession.OnnxValueMapType
  try {
    results = await session.inferenceSession.run({ [MODEL_INPUT_NAME]: input })
  } catch (error) {
    throw new ModelRuntimeError(`Cannot predict: ${messageOf(error)}`)
  } finally {
    input.dispose()
  }
  const column = (name: string): Float32Array => {
    const tensor = results[name]
    if (!tensor || !(tensor.data instanceof Float32Array) || tensor.data.length !== rowCount) {
      throw new ModelRuntimeError(
        `Cannot predict: output ${name} is not ${rowCount} float32 values`,
      )
    }
    return tensor.data
  }
  return {
    expectedReturn: column(MODEL_OUTPUT_NAMES.expectedReturn),
    p10: column(MODEL_OUTPUT_NAMES.p10),
    p90: column(MODEL_OUTPUT_NAMES.p90),
  }
}

/** Frees the session's WebAssembly memory. */
export async function releaseModelSession(session: ModelSession): Promise<void> {
  await session.inferenceSession.release()
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
