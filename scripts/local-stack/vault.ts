/**
 * The local stack's Vault secrets for the nightly schedule: `project_url` is where the local
 * function is served (http://127.0.0.1:54321) and `service_role_key` the local service key, so
 * pg_cron -> pg_net (stand-in) -> score-games works locally as it does on a hosted project.
 */
import { join } from 'node:path'
import { dbUrl, functionsPort, localServiceRoleKey, repoRoot } from './config.ts'
import { applySqlFile } from './migrate.ts'

/** Base URL of the local stack's API (the function is under /functions/v1/). */
export const localProjectUrl = `http://127.0.0.1:${functionsPort}`

const vaultSecretsFile = join(repoRoot, 'scripts', 'local-stack', 'vault-secrets.sql')

/** Creates or updates the Vault secrets `project_url` and `service_role_key`. */
export function setVaultSecrets(
  secrets: { projectUrl: string; serviceRoleKey: string },
  url = dbUrl,
): void {
  applySqlFile(vaultSecretsFile, url, {
    variables: { project_url: secrets.projectUrl, service_role_key: secrets.serviceRoleKey },
  })
}

/** Points the local Vault secrets at the local function with the local service key. */
export function setLocalVaultSecrets(url = dbUrl): void {
  setVaultSecrets({ projectUrl: localProjectUrl, serviceRoleKey: localServiceRoleKey }, url)
}
