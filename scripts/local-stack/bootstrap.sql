-- Supabase-compatibility bootstrap for the Docker-free LOCAL stack only. Never a migration.
--
-- Gives plain PostgreSQL 15 what Supabase's Postgres image has and this project relies on:
-- the API roles, the `extensions` schema, the default grants Supabase applies to `public`,
-- a minimal `storage.buckets`, and a STAND-IN for Supabase Vault. The pg_net stand-in is the
-- `pg_net` extension installed from `pg_net-standin/` by scripts/db.ts.
-- On hosted Supabase and the Supabase CLI stack none of this runs: the platform provides it.

-- Roles, as in supabase/postgres: API roles cannot log in; PostgREST logs in as `authenticator`
-- and switches to one of them. `service_role` bypasses row level security.
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit password 'postgres';
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;

create schema extensions;
grant usage on schema extensions to anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists pgtap with schema extensions;
alter database postgres set search_path to "$user", public, extensions;

-- Supabase's defaults: API roles get table privileges in `public`; row level security is the gate.
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;

-- Minimal Storage catalogue: only what a migration needs to declare a bucket.
create schema storage;
create table storage.buckets (
  id text primary key,
  name text not null unique,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- STAND-IN for Supabase Vault (supabase_vault). Same call signatures and columns as the real
-- extension; secrets are stored in plain text (no key, no nonce) because this database never
-- leaves the developer's machine.
create schema vault;
revoke all on schema vault from public;
create table vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
language sql
as $$
  insert into vault.secrets (secret, name, description, key_id)
  values (new_secret, new_name, new_description, new_key_id)
  returning id
$$;
create function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns void
language sql
as $$
  update vault.secrets
  set secret = coalesce(new_secret, secret),
    name = coalesce(new_name, name),
    description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id),
    updated_at = now()
  where id = secret_id
$$;
create view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at,
    updated_at
  from vault.secrets;

-- pg_cron is preloaded by the local cluster (shared_preload_libraries), as on Supabase.

-- The migration history, in the table the Supabase CLI keeps (`supabase migration list` reads
-- it): one row per applied migration, so `npm run db:start` applies only the new ones.
create schema supabase_migrations;
create table supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
