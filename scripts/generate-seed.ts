/**
 * `npm run seed:generate [-- --out path]`: writes `supabase/seed.sql` (or `path`) from the
 * simulator, deterministically. See scripts/seed/seed-sql.ts for what the seed holds.
 */
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parseCli, runMain } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { renderSeedSql } from './seed/seed-sql.ts'
import { repoRoot, supabaseDir } from './local-stack/config.ts'

function main(args: string[]): void {
  const { out } = parseCli(args, { out: { type: 'string' } })
  const target = out ?? join(supabaseDir, 'seed.sql')
  const seedSql = renderSeedSql()
  writeFileSync(target, seedSql)
  progress(`wrote ${relative(repoRoot, target)} (${Math.round(seedSql.length / 1024)} KB)`)
}

await runMain(import.meta.url, main)
