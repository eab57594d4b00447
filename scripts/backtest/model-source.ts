/**
 * Where a backtest run in Node reads the active model's bytes, as the function does: `local_file`
 * models from the repository (paths model-store.ts accepts, and whose real location stays inside
 * it), `storage` models from Supabase Storage when SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY are
 * set.
 */
import { readFile, realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { ModelSource } from '../../supabase/functions/_shared/run/model-store.ts'
import { repoRoot } from '../local-stack/config.ts'

async function readInsideRepository(path: string): Promise<Uint8Array | null> {
  let file: string
  try {
    file = await realpath(join(repoRoot, path))
  } catch {
    return null
  }
  if (!file.startsWith((await realpath(repoRoot)) + sep)) {
    throw new Error(`Cannot load model: local_file path ${path} leads outside the repository`)
  }
  return new Uint8Array(await readFile(file))
}

/** The model source of a backtest, from the environment. */
export function nodeModelSource(env: NodeJS.ProcessEnv): ModelSource {
  const supabaseUrl = env.SUPABASE_URL
  const serviceKey = env.SUPABASE_SERVICE_ROLE_KEY
  return {
    fromLocalFile: readInsideRepository,
    async fromStorage(bucket, path) {
      if (!supabaseUrl || !serviceKey) {
        throw new Error(
          `Cannot download ${bucket}/${path}: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY`,
        )
      }
      const { createClient } = await import('@supabase/supabase-js')
      const client = createClient(supabaseUrl, serviceKey, {
        auth: { persistSession: false, autoRefreshToken: false },
      })
      const { data, error } = await client.storage.from(bucket).download(path)
      if (error || !data) return null
      return new Uint8Array(await data.arrayBuffer())
    },
  }
}
