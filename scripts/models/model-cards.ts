/**
 * Model cards: `model/<version>.json` beside `model/<version>.onnx`, describing the data, the
 * features, the metrics and the training time of a committed model.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { repoRoot } from '../local-stack/config.ts'

/** Folder of committed models and their cards. */
export const modelDir = join(repoRoot, 'model')

const cardSchema = z.object({
  version: z.string(),
  trainedAt: z.string(),
  onnxFile: z.string(),
}).passthrough()

/** The parts of a card the publishing tools read. */
export type ModelCardHeader = z.infer<typeof cardSchema>

/** Every card under model/, newest training first. */
export function listModelCards(): ModelCardHeader[] {
  if (!existsSync(modelDir)) return []
  return readdirSync(modelDir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => cardSchema.parse(JSON.parse(readFileSync(join(modelDir, name), 'utf8'))))
    .sort((a, b) => b.trainedAt.localeCompare(a.trainedAt))
}

/** The default model: the newest card's ONNX file. Throws when there is none. */
export function defaultModelCard(): ModelCardHeader {
  const [newest] = listModelCards()
  if (!newest) throw new Error('No model under model/: train one with npm run train')
  return newest
}
