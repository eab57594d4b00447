/**
 * The database layer: pgTAP files in supabase/tests/database (schema, invariants, row level
 * security) and the claim that db:reset rebuilds the same schema from nothing.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { reset } from '../scripts/db.ts'
import { supabaseDir } from '../scripts/local-stack/config.ts'
import { dumpSchema, runSqlFile } from './helpers/database.ts'

const pgTapDir = join(supabaseDir, 'tests', 'database')
const pgTapFiles = readdirSync(pgTapDir).filter((name) => name.endsWith('.sql')).sort()

describe('pgTAP', () => {
  it.each(pgTapFiles)('%s passes every planned test', (name) => {
    const tap = runSqlFile(join(pgTapDir, name)).split('\n').map((line) => line.trim())
    const plan = tap.find((line) => /^1\.\.\d+$/.test(line))
    expect(plan, 'the file declares a plan').toBeDefined()
    const planned = Number(plan?.slice(3))
    const failures = tap.filter((line) => line.startsWith('not ok'))
    expect(failures).toEqual([])
    expect(tap.filter((line) => line.startsWith('ok ')).length).toBe(planned)
  })
})

describe('db:reset', () => {
  it('rebuilds exactly the same schema a second time', () => {
    // Two resets of our own: what earlier test files left behind must not matter.
    reset()
    const first = dumpSchema()
    reset()
    const second = dumpSchema()
    expect(second).toBe(first)
    expect(second).toContain('CREATE TABLE public.predictions')
  })
})
