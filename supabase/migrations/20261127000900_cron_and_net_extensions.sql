-- The nightly schedule's building blocks, enabled the way Supabase documents them: pg_cron (the
-- job scheduler; it lives in the `postgres` database only) and pg_net (HTTP requests from SQL,
-- sent asynchronously after the calling transaction commits).

create extension if not exists pg_cron with schema pg_catalog;
grant usage on schema cron to postgres;
grant all privileges on all tables in schema cron to postgres;

create extension if not exists pg_net with schema extensions;
