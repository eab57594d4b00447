-- anon and authenticated only read (20261203004100): no INSERT, UPDATE, DELETE or TRUNCATE on any
-- table or view of public, refused by the privilege system before row level security is asked,
-- and tables created later get the same.
begin;
select plan(8);

select is_empty(
  $$select grantee, table_name, privilege_type
    from information_schema.role_table_grants
    where table_schema = 'public' and grantee in ('anon', 'authenticated')
      and privilege_type <> 'SELECT'$$,
  'anon and authenticated hold no privilege but SELECT on any table or view of public'
);

create function pg_temp.refused(role_name text, statement text, table_name text) returns text
language sql
as $fn$
  select throws_ok(
    format('set local role %I; %s', role_name, statement),
    '42501',
    format('permission denied for table %s', table_name),
    format('%s: %s refused', role_name, statement)
  )
$fn$;

select pg_temp.refused('anon',
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RO-1', 'Anon game', 5, 3.5)$$, 'games');
reset role;
select pg_temp.refused('anon', 'update public.predictions set ai_score = 99', 'predictions');
reset role;
select pg_temp.refused('authenticated', 'delete from public.prize_tiers', 'prize_tiers');
reset role;
select pg_temp.refused('authenticated',
  $$insert into public.claim_profiles (state, estimated_on) values ('ZZ', date '2026-12-03')$$,
  'claim_profiles');
reset role;

-- Reading still works.
set local role anon;
select lives_ok($$select 1 from public.current_predictions$$, 'anon still reads the view');
reset role;

-- A table created later (by the migrations' role) gives them SELECT at most.
create table public.later_read_only (id bigint generated always as identity primary key);
select table_privs_are(
  'public', 'later_read_only', 'anon', array['SELECT'], 'a new table: anon may only read it'
);
select table_privs_are(
  'public', 'later_read_only', 'authenticated', array['SELECT'],
  'a new table: authenticated may only read it'
);

select * from finish();
rollback;
