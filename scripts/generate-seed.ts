/**
 * `npm run seed:generate [-- --out path]`: writes `supabase/seed.sql` (or `path`) from the
 * simulator, deterministically. See scripts/seed/seed-sql.ts for what the seed holds.
 */
import { writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { option } from './lib/cli.ts'
import { progress } from './lib/progress.ts'
import { renderSeedSql } from './seed/seed-sql.ts'
import { repoRoot, supabaseDir } from './local-stack/config.ts'

const target = option(process.argv.slice(2), 'out') ?? join(supabaseDir, 'seed.sql')
const seedSql = renderSeedSql()
writeFileSync(target, seedSql)
progress(`wrote ${relative(repoRoot, target)} (${Math.round(seedSql.length / 1024)} KB)`)
