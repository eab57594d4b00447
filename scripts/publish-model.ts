/**
 * `npm run model:publish -- [--file model/x.onnx] [--force] [--activate VERSION]`
 *
 * Publishes a model file (default: the newest model card's) and makes it active, or with
 * `--activate` switches the active model back to an already registered version (rollback)
 * without uploading anything. Either way the model is first scored on a reference set of
 * simulated game-days and refused when its outputs fail the sanity checks
 * (scripts/models/sanity-check.ts: e.g. many games at or above $1 per $1), unless `--force`;
 * `--activate` reads the registered file (repository or Storage) and checks its sha256 first.
 *
 * Target: with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY set (hosted project or Supabase CLI
 * stack), the file is uploaded to the private Storage bucket `models`; without them (the
 * Docker-free local stack) the registry points at the file in the repository. The registry is
 * written through SUPABASE_DB_URL (default: the local stack's database).
 */
import { join, resolve } from 'node:path'
import postgres from 'postgres'
import { dbUrl, repoRoot } from './local-stack/config.ts'
import { parseCli, runMain } from './lib/cli.ts'
import { defaultModelCard, listModelCards } from './models/model-cards.ts'
import { progress } from './lib/progress.ts'
import { activateChecked, publishModel, type PublishTarget } from './models/publish.ts'
import type { SanityReport } from './models/sanity-check.ts'

function targetFromEnv(env: NodeJS.ProcessEnv): PublishTarget {
  const supabaseUrl = env.SUPABASE_URL
  const serviceKey = env.SUPABASE_SERVICE_ROLE_KEY
  if (supabaseUrl && serviceKey) return { kind: 'storage', supabaseUrl, serviceKey }
  if (supabaseUrl || serviceKey) {
    throw new Error('Set both SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to upload to Storage')
  }
  return { kind: 'local_file' }
}

/** Prints the reference-set checks, marking those passed over because of --force. */
function reportSanity(sanity: SanityReport, done: string): void {
  for (const check of sanity.checks) {
    progress(
      `reference set (${sanity.gameDays} game-days): ${check.name} ${
        Number(check.value.toPrecision(4))
      } (${check.limit})${check.passed ? '' : `: FAILED, ${done} because of --force`}`,
    )
  }
}

async function main(args: string[]): Promise<void> {
  const options = parseCli(args, {
    file: { type: 'string' },
    activate: { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean' },
  })
  if (options.help) {
    console.log('npm run model:publish -- [--file model/x.onnx] [--force] [--activate VERSION]')
    return
  }
  const sql = postgres(process.env.SUPABASE_DB_URL ?? dbUrl, { max: 1, onnotice: () => {} })
  try {
    const version = options.activate
    const target = targetFromEnv(process.env)
    const force = options.force ?? false
    if (version !== undefined) {
      const sanity = await activateChecked(sql, { version, target, force })
      reportSanity(sanity, 'activated')
      progress(`model ${version} is now the active model`)
      return
    }
    const chosen = options.file
    const file = chosen ? resolve(chosen) : join(repoRoot, defaultModelCard().onnxFile)
    const card = listModelCards().find((candidate) => join(repoRoot, candidate.onnxFile) === file)
    const published = await publishModel(sql, {
      file,
      target,
      trainedAt: card?.trainedAt ?? null,
      force,
    })
    reportSanity(published.sanity, 'published')
    const where = published.storageKind === 'storage'
      ? `Storage models/${published.storagePath}`
      : `${published.storagePath} (local file, local stack only)`
    progress(
      `published ${published.version} (sha256 ${
        published.sha256.slice(0, 12)
      }...) from ${where}; it is now active`,
    )
  } finally {
    await sql.end()
  }
}

await runMain(import.meta.url, main)
