/**
 * The committed default model on the local stack: registered (and activated) when no model is
 * active or a newer committed one is not registered yet; a deliberate rollback to an already
 * registered version is left alone.
 */
import { join } from 'node:path'
import type { Sql } from 'postgres'
import { repoRoot } from '../local-stack/config.ts'
import { progress } from '../lib/progress.ts'
import { defaultModelCard } from './model-cards.ts'
import { publishModel } from './publish.ts'
import { activeVersion, isRegistered } from './registry.ts'

/** Makes sure a model is active on the local stack; returns the active version. */
export async function ensureLocalModel(sql: Sql): Promise<string> {
  const card = defaultModelCard()
  const active = await activeVersion(sql)
  if (active === null || !(await isRegistered(sql, card.version))) {
    const published = await publishModel(sql, {
      file: join(repoRoot, card.onnxFile),
      target: { kind: 'local_file' },
      trainedAt: card.trainedAt,
    })
    progress(`registered the default model ${published.version} (local file)`)
    return published.version
  }
  if (active !== card.version) {
    progress(`using the active model ${active} (the default is ${card.version})`)
  }
  return active
}
