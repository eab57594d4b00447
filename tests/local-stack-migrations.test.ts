/**
 * The local stack's migration history: every migration is recorded as the Supabase CLI records
 * it, and a database built by an older checkout is brought forward by applying only what it
 * lacks, or rebuilt (with the reason) when it cannot be brought forward in order. Real psql and
 * Postgres, on a scratch database beside the test database.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import postgres from 'postgres'
import { dbUrl } from '../scripts/local-stack/config.ts'
import {
  applyMigrations,
  migrationFiles,
  migrationId,
  planMigrations,
} from '../scripts/local-stack/migrate.ts'
import { connect } from './helpers/database.ts'

const scratchName = 'local_stack_migrations_test'
const scratchUrl = dbUrl.replace(/\/postgres$/, `/${scratchName}`)

describe('the local database records its migrations', () => {
  it('holds exactly the migration files, in order, after a build', async () => {
    const sql = connect()
    try {
      const rows = await sql<{ version: string; name: string }[]>`
        select version, name from supabase_migrations.schema_migrations order by version`
      expect(rows).toEqual(migrationFiles().map(migrationId))
      expect(planMigrations()).toEqual({ kind: 'current' })
    } finally {
      await sql.end()
    }
  })
})

describe('a database built by an older checkout', () => {
  let admin: postgres.Sql
  let scratch: postgres.Sql
  let dir: string
  const file = (name: string, body: string): string => {
    const path = join(dir, name)
    writeFileSync(path, body)
    return path
  }
  let one: string, two: string, three: string

  beforeAll(() => {
    admin = connect()
    dir = mkdtempSync(join(tmpdir(), 'migrations-'))
    one = file('20260101000000_one.sql', 'create table one (id int);')
    two = file('20260102000000_two.sql', 'create table two (id int);')
    three = file('20260103000000_three.sql', 'create table three (id int);')
  })

  beforeEach(async () => {
    await scratch?.end()
    await admin.unsafe(`drop database if exists ${scratchName}`)
    await admin.unsafe(`create database ${scratchName}`)
    scratch = postgres(scratchUrl, { max: 1, onnotice: () => {} })
  })

  afterAll(async () => {
    await scratch?.end()
    await admin.unsafe(`drop database if exists ${scratchName}`)
    await admin.end()
    rmSync(dir, { recursive: true, force: true })
  })

  async function withHistory(): Promise<void> {
    await scratch.unsafe(`
      create schema supabase_migrations;
      create table supabase_migrations.schema_migrations (
        version text primary key, statements text[], name text)`)
  }

  async function tables(): Promise<string[]> {
    const rows = await scratch<{ name: string }[]>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' order by 1`
    return rows.map((row) => row.name)
  }

  async function recorded(): Promise<string[]> {
    const rows = await scratch<{ version: string }[]>`
      select version from supabase_migrations.schema_migrations order by 1`
    return rows.map((row) => row.version)
  }

  it('is rebuilt when it predates the recorded history', () => {
    expect(planMigrations(scratchUrl, [one, two])).toEqual({
      kind: 'rebuild',
      reason: 'it was built before migrations were recorded',
    })
  })

  it('gets only the migrations newer than all it has, each recorded', async () => {
    await withHistory()
    applyMigrations(scratchUrl, [one, two])
    expect(planMigrations(scratchUrl, [one, two, three])).toEqual({
      kind: 'apply',
      files: [three],
    })
    applyMigrations(scratchUrl, [three])
    expect(await tables()).toEqual(['one', 'three', 'two'])
    expect(await recorded()).toEqual(['20260101000000', '20260102000000', '20260103000000'])
    expect(planMigrations(scratchUrl, [one, two, three])).toEqual({ kind: 'current' })
  })

  it('is rebuilt when it has a migration no file holds (another branch)', async () => {
    await withHistory()
    applyMigrations(scratchUrl, [one, two])
    expect(planMigrations(scratchUrl, [one, three])).toEqual({
      kind: 'rebuild',
      reason: 'it has migrations no file holds (20260102000000)',
    })
  })

  it('is rebuilt when a migration older than its newest is missing (a merge)', async () => {
    await withHistory()
    applyMigrations(scratchUrl, [one, three])
    expect(planMigrations(scratchUrl, [one, two, three])).toEqual({
      kind: 'rebuild',
      reason: 'it lacks migrations older than its newest (20260102000000_two.sql)',
    })
  })

  it('keeps neither the effects nor the record of a migration that fails', async () => {
    await withHistory()
    const failing = file('20260104000000_four.sql', 'create table four (id int);\nselect 1 / 0;')
    expect(() => applyMigrations(scratchUrl, [one, failing])).toThrow(
      /Cannot apply .*20260104000000_four\.sql: .*division by zero/s,
    )
    expect(await tables()).toEqual(['one'])
    expect(await recorded()).toEqual(['20260101000000'])
  })
})
