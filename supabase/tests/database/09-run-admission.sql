-- Admitting runs: at most one running run may score a game for a prediction date. Scopes are
-- compared game by game (never by a hash), overlapping scopes conflict, the same scope on another
-- date does not, and the conflicting run's id is always returned. Runs whose lease expired, or
-- that started before the database's last start, are swept as abandoned whatever their scope.
-- Rolled back.
begin;
select plan(26);

select is_definer('private', 'sweep_abandoned_runs', array[]::text[], 'the sweep is security definer');
select function_privs_are('private', 'start_scoring_run', array['scoring_trigger', 'jsonb', 'date', 'integer', 'uuid'], 'anon', array[]::text[], 'anon cannot start runs');
select function_privs_are('private', 'start_scoring_run', array['scoring_trigger', 'jsonb', 'date', 'integer', 'uuid'], 'service_role', array['EXECUTE'], 'service_role can start runs');

-- Runs left by other tests step aside until the rollback.
delete from public.scoring_runs;

-- Two states; two games whose one-id scopes share a hashtext() key.
insert into public.games (id, state, game_number, game_name, ticket_price, overall_odds)
overriding system value
values
  (51837, 'AA', 'ADM-1', 'Admission 1', 5, 3.5),
  (54437, 'AA', 'ADM-2', 'Admission 2', 5, 3.5),
  (60001, 'AB', 'ADM-3', 'Admission 3', 2, 4.1);

create function pg_temp.start(scope jsonb, day date default '2026-12-01')
returns table (run_id uuid, running_run_id uuid)
language sql
as $$ select * from private.start_scoring_run('http', scope, day, 60) $$;

create temporary table first_run on commit drop as
select run_id from pg_temp.start('{"states": ["AA"]}');

select isnt((select run_id from first_run), null, 'a run is admitted with its id');
select results_eq(
  $$select status::text, lease_expires_at > now(), prediction_date from public.scoring_runs
    where id = (select run_id from first_run)$$,
  $$values ('running', true, '2026-12-01'::date)$$,
  'its row is running, leased into the future, for its date'
);

select results_eq(
  $$select run_id, running_run_id from pg_temp.start('{"states": ["AA"]}')$$,
  $$select null::uuid, (select run_id from first_run)$$,
  'the same scope on the same date conflicts, and gets the running run''s id'
);
select results_eq(
  $$select run_id, running_run_id from pg_temp.start('{}')$$,
  $$select null::uuid, (select run_id from first_run)$$,
  'an all-states run conflicts with a running per-state run'
);
select results_eq(
  $$select run_id, running_run_id from pg_temp.start('{"game_ids": [54437]}')$$,
  $$select null::uuid, (select run_id from first_run)$$,
  'game ids inside a running state conflict'
);
select results_eq(
  $$select run_id, running_run_id from pg_temp.start('{"states": ["AA", "AB"], "game_ids": [51837]}')$$,
  $$select null::uuid, (select run_id from first_run)$$,
  'a scope of states and game ids conflicts when one of its games is being scored'
);
select isnt(
  (select run_id from pg_temp.start('{"states": ["AA"]}', '2026-12-02')),
  null,
  'the same scope for another date need not wait'
);

create temporary table game_run on commit drop as
select run_id from pg_temp.start('{"game_ids": [60001]}');
select isnt((select run_id from game_run), null, 'a game of another state is admitted beside it');
select results_eq(
  $$select run_id, running_run_id from pg_temp.start('{"states": ["AB"]}')$$,
  $$select null::uuid, (select run_id from game_run)$$,
  'a state run conflicts with a running run of one of its games'
);

-- Scopes that the former lock keyed alike: hashtext collides, the games differ.
select is(
  hashtext('{"game_ids":[51837]}'),
  hashtext('{"game_ids":[54437]}'),
  'the two one-game scopes share a hashtext key'
);
delete from public.scoring_runs;
select isnt((select run_id from pg_temp.start('{"game_ids": [51837]}')), null, 'one is admitted');
select isnt(
  (select run_id from pg_temp.start('{"game_ids": [54437]}')),
  null,
  'the other is admitted too: no false conflict'
);
select is(private.scoring_scopes_overlap('{"states": ["ZZ"]}', '{}'), false, 'a state without games overlaps nothing');

-- The sweep.
delete from public.scoring_runs;
-- (The cluster may have started minutes ago: live runs start now.)
insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, lease_expires_at)
values
  ('http', '{"states": ["AA"]}', '2026-12-01', 'running', now(), now() - interval '1 second'),
  ('cron', '{"game_ids": [60001]}', '2026-12-03', 'running', now(), now() - interval '1 minute'),
  ('http', '{"states": ["AB"]}', '2026-12-01', 'running', now(), now() + interval '1 minute'),
  -- Without a lease (an older function): ten minutes from its start.
  ('http', '{}', '2026-11-30', 'running', now() - interval '11 minutes', null),
  ('http', '{}', '2026-11-29', 'running', now(), null),
  -- Started before the database did: its connections died with the server.
  ('cli', '{}', '2026-11-28', 'running', pg_postmaster_start_time() - interval '1 second', now() + interval '1 hour');

select is(private.sweep_abandoned_runs(), 4, 'the sweep closes the four dead runs');
select results_eq(
  $$select prediction_date, status::text, finished_at is not null, lease_expires_at is null
    from public.scoring_runs order by prediction_date, status$$,
  $$values
    ('2026-11-28'::date, 'abandoned', true, true),
    ('2026-11-29'::date, 'running', false, true),
    ('2026-11-30'::date, 'abandoned', true, true),
    ('2026-12-01'::date, 'abandoned', true, true),
    ('2026-12-01'::date, 'running', false, false),
    ('2026-12-03'::date, 'abandoned', true, true)$$,
  'runs with an expired lease or from before the restart are abandoned, whatever their scope; live ones stay'
);
select matches(
  (select error from public.scoring_runs where prediction_date = '2026-11-28'),
  '^Abandoned: the database restarted',
  'a run from before the restart says so'
);
select matches(
  (select error from public.scoring_runs where prediction_date = '2026-12-03'),
  '^Abandoned: its function stopped renewing',
  'a run whose lease expired says so'
);
select is(private.sweep_abandoned_runs(), 0, 'sweeping again changes nothing');

-- Admitting sweeps first: a dead run's scope is free at once.
update public.scoring_runs set lease_expires_at = now() - interval '1 second'
where status = 'running' and prediction_date = '2026-12-01';
select isnt(
  (select run_id from pg_temp.start('{"states": ["AB"]}')),
  null,
  'a run overlapping only an expired one is admitted'
);
select is(
  (select status::text from public.scoring_runs where scope = '{"states": ["AB"]}' and finished_at is not null),
  'abandoned',
  'and the expired one was closed as abandoned'
);

select throws_ok(
  $$select * from private.start_scoring_run('http', '{}', '2026-12-01', 0)$$,
  '22023',
  'Cannot start a run: lease_seconds must be between 1 and 3600, got 0',
  'a lease out of range is refused'
);
create temporary table token_run on commit drop as
select run_id from private.start_scoring_run('cron', '{"states": ["ZZ"]}', '2026-12-09', 60,
  '6f1c2b8e-51a4-4b0f-9c8e-2f3a4b5c6d7e');
select is(
  (select request_token from public.scoring_runs where id = (select run_id from token_run)),
  '6f1c2b8e-51a4-4b0f-9c8e-2f3a4b5c6d7e'::uuid,
  'the run records its request''s token'
);
select is(
  (select count(*)::int from public.scoring_runs where status = 'running' and lease_expires_at is null
     and started_at > now() - interval '10 minutes'),
  1,
  'a lease-less run younger than ten minutes is left running'
);

select * from finish();
rollback;
