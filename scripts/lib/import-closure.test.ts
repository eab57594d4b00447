/**
 * The layout rule: `supabase/functions/` holds exactly what the deployed functions import, and
 * what they import never reaches outside it. Checked on the repository, and on small trees that
 * break it (so the check itself can fail).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { supabaseDir } from '../local-stack/config.ts'
import { functionsLayoutViolations, importSpecifiers } from './import-closure.ts'

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layout-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return join(root, 'supabase', 'functions')
}

const DENO_JSON = JSON.stringify({ imports: { zod: 'npm:zod@4.6.7' } })

describe('the functions layout', () => {
  it('holds: score-games imports every module under supabase/functions/, none outside it', () => {
    expect(functionsLayoutViolations(join(supabaseDir, 'functions'))).toEqual([])
  })

  it('reads static, type-only, re-export and dynamic imports', () => {
    const source = `import a from './a.ts'
import type { B } from '../b.ts'
export { c } from './c.ts'
const d = await import('./d.ts')
import 'zod'`
    expect(importSpecifiers(source).sort()).toEqual([
      '../b.ts',
      './a.ts',
      './c.ts',
      './d.ts',
      'zod',
    ])
  })

  it('accepts a tree that keeps the rule (tests and the preload aside)', () => {
    const functions = tree({
      'supabase/functions/score/index.ts': "import { x } from '../_shared/x.ts'\nimport 'zod/mini'",
      'supabase/functions/score/deno.json': DENO_JSON,
      'supabase/functions/score/edge-runtime-restrictions.ts': '',
      'supabase/functions/_shared/x.ts': "export const x = await import('./y.ts')",
      'supabase/functions/_shared/y.ts': "import type { Z } from './z.ts'",
      'supabase/functions/_shared/z.ts': 'export type Z = 1',
      'supabase/functions/_shared/x.test.ts': "import '../../../scripts/helper.ts'",
    })
    expect(functionsLayoutViolations(functions)).toEqual([])
  })

  it('names a module no function imports, an import from outside, and an unmapped package', () => {
    const functions = tree({
      'supabase/functions/score/index.ts':
        "import { x } from '../_shared/x.ts'\nimport { sim } from '../../../scripts/sim.ts'",
      'supabase/functions/score/deno.json': DENO_JSON,
      'supabase/functions/_shared/x.ts': "import { z } from 'postgres'\nexport const x = 1",
      'supabase/functions/_shared/trainer.ts': 'export const train = 1',
      'scripts/sim.ts': 'export const sim = 1',
    })
    expect(functionsLayoutViolations(functions)).toEqual([
      {
        module: 'score/index.ts',
        problem: expect.stringMatching(/imports \.\.\/\.\.\/\.\.\/scripts\/sim\.ts, outside/),
      },
      { module: '_shared/x.ts', problem: 'imports postgres, which score/deno.json does not map' },
      {
        module: '_shared/trainer.ts',
        problem: 'is not imported by any function: move it out of supabase/functions/',
      },
    ])
  })
})
