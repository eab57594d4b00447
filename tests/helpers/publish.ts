/** `npm run model:publish` as a child process, against the local stack. */
import { spawnSync } from 'node:child_process'
import { repoRoot } from '../../scripts/local-stack/config.ts'

/** Runs the publish CLI with `args`, with no Storage target (the local stack has none). */
export function publishCli(args: string[]) {
  const env = { ...process.env }
  // The CLI uploads to Storage when these are set; this stack has no Storage service.
  delete env.SUPABASE_URL
  delete env.SUPABASE_SERVICE_ROLE_KEY
  delete env.SUPABASE_DB_URL
  return spawnSync('npx', ['tsx', 'scripts/publish-model.ts', ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  })
}
