/**
 * The local stack's Vault secrets for the nightly schedule: `project_url` is where the local
 * function is served (http://127.0.0.1:54321) and `service_role_key` the local service key, so
 * pg_cron -> pg_net (stand-in) -> score-games works locally as it does on a hosted project.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { dbUrl, functionsPort, localServiceRoleKey, repoRoot } from './config.ts'
import { psqlPath } from './postgres.ts'

/** Base URL of the local stack's API (the function is under /functions/v1/). */
export const localProjectUrl = `http://127.0.0.1:${functionsPort}`

const vaultSecretsFile = join(repoRoot, 'scripts', 'local-stack', 'vault-secrets.sql')

/** Creates or updates the Vault secrets `project_url` and `service_role_key`. */
export function setVaultSecrets(
  secrets: { projectUrl: string; serviceRoleKey: string },
  url = dbUrl,
): void {
  execFileSync(psqlPath, [
    url,
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '--single-transaction',
    '-v',
    `project_url=${secrets.projectUrl}`,
    '-v',
    `service_role_key=${secrets.serviceRoleKey}`,
    '-f',
    vaultSecretsFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** Points the local Vault secrets at the local function with the local service key. */
export function setLocalVaultSecrets(url = dbUrl): void {
  setVaultSecrets({ projectUrl: localProjectUrl, serviceRoleKey: localServiceRoleKey }, url)
}
