/**
 * `prepareFunctionAssets()`: copies onnxruntime-web's single-threaded SIMD wasm from node_modules
 * into `supabase/functions/score-games/wasm/`, which config.toml ships as the function's static
 * files (`static_files`) and the function passes to onnxruntime as `wasmFile`. The copy is
 * git-ignored; run this before serving or deploying. Run directly: `npx tsx
 * scripts/prepare-function-assets.ts`.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ORT_WASM_FILE_NAME } from '../supabase/functions/_shared/onnx/runtime.ts'
import { isMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Where the function's copy of the wasm lives. */
export const FUNCTION_WASM_DIRECTORY = join(repositoryRoot, 'supabase/functions/score-games/wasm')

/** The wasm file inside the installed onnxruntime-web package. */
export function packageWasmPath(): string {
  const require = createRequire(import.meta.url)
  // The package's Node entry is dist/ort.node.min.js, next to the wasm files.
  return join(dirname(require.resolve('onnxruntime-web')), ORT_WASM_FILE_NAME)
}

function sameFile(source: string, target: string): boolean {
  try {
    if (statSync(source).size !== statSync(target).size) return false
    return readFileSync(source).equals(readFileSync(target))
  } catch {
    return false
  }
}

/** Copies the wasm when missing or different; returns the path of the function's copy. */
export function prepareFunctionAssets(): string {
  const source = packageWasmPath()
  const target = join(FUNCTION_WASM_DIRECTORY, ORT_WASM_FILE_NAME)
  if (!sameFile(source, target)) {
    mkdirSync(FUNCTION_WASM_DIRECTORY, { recursive: true })
    copyFileSync(source, target)
    const megabytes = (statSync(target).size / 1_048_576).toFixed(1)
    progress(
      `copied ${ORT_WASM_FILE_NAME} (${megabytes} MB) to ${relative(repositoryRoot, target)}`,
    )
  }
  return target
}

if (isMain(import.meta.url)) prepareFunctionAssets()
