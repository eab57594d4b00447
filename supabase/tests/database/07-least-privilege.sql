-- Least privilege: row level security gates SELECT, INSERT, UPDATE and DELETE only, so anon and
-- authenticated hold no other privilege on public tables (TRUNCATE empties a table whatever its
-- policies), none on sequences, and the same holds for tables created later.
begin;
select plan(20);

-- TRUNCATE is refused on every table, for both API roles.
create function pg_temp.truncate_refused(role_name text, table_name text) returns text
language sql
as $fn$
  select throws_ok(
    format('set local role %I; truncate public.%I', role_name, table_name),
    '42501',
    format('permission denied for table %s', table_name),
    format('%s cannot truncate %s', role_name, table_name)
  )
$fn$;

select pg_temp.truncate_refused(role_name, table_name)
from unnest(array['anon', 'authenticated']) as role_name,
  unnest(array['games', 'prize_tiers', 'historical_snapshots', 'predictions', 'scoring_runs',
    'ml_models']) as table_name
order by role_name, table_name;
reset role;

select is(
  (select count(*)::int from public.games) > 0,
  true,
  'the tables they tried to truncate still hold their rows'
);

select is_empty(
  $$select grantee, table_name, privilege_type
    from information_schema.role_table_grants
    where table_schema = 'public' and grantee in ('anon', 'authenticated')
      and privilege_type not in ('SELECT', 'INSERT', 'UPDATE', 'DELETE')$$,
  'anon and authenticated hold no privilege beyond SELECT, INSERT, UPDATE, DELETE in public'
);
select is_empty(
  $$select c.relname, acl.grantee::regrole::text
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    cross join lateral aclexplode(c.relacl) as acl
    where n.nspname = 'public' and c.relkind = 'S'
      and acl.grantee in ('anon'::regrole, 'authenticated'::regrole)$$,
  'anon and authenticated hold no privilege on any sequence in public'
);
select table_privs_are(
  'public', 'current_predictions', 'anon', array['SELECT'], 'anon only reads current_predictions'
);
select table_privs_are(
  'public', 'current_predictions', 'authenticated', array['SELECT'],
  'authenticated only reads current_predictions'
);

-- A table created later (by the migrations' role) gets the same: no TRUNCATE for anon.
create table public.later_table (id bigint generated always as identity primary key);
select table_privs_are(
  'public', 'later_table', 'anon', array['SELECT'],
  'a new table gives anon no TRUNCATE, REFERENCES or TRIGGER (nor, since 20261203004100, any write)'
);
select is_empty(
  $$select 1 from information_schema.role_usage_grants
    where object_schema = 'public' and object_name = 'later_table_id_seq'
      and grantee in ('anon', 'authenticated')$$,
  'a new table''s sequence grants anon nothing'
);
select throws_ok(
  $$set local role anon; truncate public.later_table$$,
  '42501',
  'permission denied for table later_table',
  'anon cannot truncate a table created later'
);
reset role;

select * from finish();
rollback;
