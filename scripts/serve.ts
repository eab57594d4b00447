/**
 * `npm run serve`: serves score-games with Deno at http://127.0.0.1:54321/functions/v1/score-games
 * against the local stack (started if needed), with the environment of `.env.local` (or
 * `.env.local.example`), until Ctrl-C.
 */
import { start } from './db.ts'
import { prepareFunctionAssets } from './prepare-function-assets.ts'
import { startFunctionServer } from './local-stack/function-server.ts'
import { progress } from './lib/progress.ts'

await start()
prepareFunctionAssets()
const server = await startFunctionServer()
server.process.stdout?.pipe(process.stdout)
server.process.stderr?.pipe(process.stderr)
progress('Ctrl-C to stop')
const shutdown = () => void server.stop().then(() => process.exit(0))
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
