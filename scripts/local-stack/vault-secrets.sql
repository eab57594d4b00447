-- Sets (creates or updates) the two Vault secrets the nightly schedule reads, from the psql
-- variables project_url and service_role_key. Works with the local stack's Vault stand-in and
-- with real Supabase Vault alike (see docs/nightly-schedule.md):
--   psql "$DB_URL" --single-transaction -v project_url=... -v service_role_key=... \
--     -f scripts/local-stack/vault-secrets.sql

create temporary table wanted_secrets (name text primary key, secret text not null, description text not null)
on commit drop;
insert into wanted_secrets values
  ('project_url', :'project_url', 'Base URL of the project: score-games is at /functions/v1/score-games'),
  ('service_role_key', :'service_role_key', 'Secret key score-games accepts from the nightly schedule');

select vault.update_secret(existing.id, wanted.secret)
from wanted_secrets as wanted
join vault.secrets as existing on existing.name = wanted.name;

select vault.create_secret(wanted.secret, wanted.name, wanted.description)
from wanted_secrets as wanted
where not exists (select 1 from vault.secrets as existing where existing.name = wanted.name);
