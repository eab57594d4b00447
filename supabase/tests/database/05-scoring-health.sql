-- scoring_health tells the truth: a non-2xx answer, a timeout, a transport error or a request
-- pg_net never answered is failed, never succeeded; a state with no succeeded run covering it in
-- 26 hours is stale; a 200 with a fresh run is healthy. Only service_role may read it.
begin;
select plan(25);

-- Runs left by other tests (an all-states run covers every state) step aside until the rollback.
delete from public.scoring_runs;

select table_privs_are('public', 'scoring_health', 'anon', array[]::text[], 'anon cannot read scoring_health');
select table_privs_are('public', 'scoring_health', 'authenticated', array[]::text[], 'authenticated cannot read scoring_health');
select table_privs_are('public', 'scoring_health', 'service_role', array['SELECT'], 'service_role reads scoring_health');

set local role anon;
select throws_ok(
  $$select * from public.scoring_health$$,
  '42501',
  'permission denied for view scoring_health',
  'anon is refused'
);
reset role;

-- One active game per test state (HL has only an ended game).
insert into public.games (state, game_number, game_name, ticket_price, overall_odds, is_active)
select state, 'HEALTH-' || state, 'Health ' || state, 5, 3.5, state <> 'HL'
from unnest(array['HA', 'HB', 'HC', 'HD', 'HE', 'HF', 'HG', 'HH', 'HI', 'HJ', 'HK', 'HL', 'HM', 'HN', 'HO'])
  as state;

-- Requests, as private.request_scoring records them (ids far above the stand-in's own).
insert into private.scoring_requests (net_request_id, state, requested_at, timeout_milliseconds)
values
  (990000001, 'HA', now() - interval '1 hour', 120000),
  (990000002, 'HB', now() - interval '25 hours', 120000),
  (990000003, 'HB', now() - interval '1 hour', 120000),
  (990000004, 'HC', now() - interval '1 hour', 2000),
  (990000005, 'HD', now() - interval '1 hour', 5000),
  (990000006, 'HE', now() - interval '1 hour', 120000),
  (990000007, 'HF', now() - interval '1 minute', 120000),
  (990000008, 'HG', now() - interval '3 hours', 120000),
  (990000009, 'HH', now() - interval '1 hour', 120000),
  (990000010, 'HN', now() - interval '10 minutes', 120000);

-- What pg_net recorded, as it records it.
insert into net._http_response (id, status_code, content_type, content, timed_out, error_msg, created)
values
  (990000001, 200, 'application/json', '{"run_id":"a"}', false, null, now() - interval '59 minutes'),
  (990000002, 200, 'application/json', '{"run_id":"b"}', false, null, now() - interval '25 hours'),
  (990000003, 401, 'application/json', '{"error":{"code":"unauthorized"}}', false, null, now() - interval '59 minutes'),
  (990000004, null, null, null, true,
    'Timeout of 2000 ms reached. Total time: 2001.3 ms (DNS time: 0.1 ms, TCP/SSL handshake time: 0.2 ms, HTTP Request/Response time: 2001.0 ms)',
    now() - interval '59 minutes'),
  -- Older pg_net releases left timed_out unset and said it in error_msg only.
  (990000005, null, null, null, null, 'Timeout of 5000 ms reached', now() - interval '59 minutes'),
  (990000006, null, null, null, false, 'Couldn''t connect to server', now() - interval '59 minutes'),
  (990000009, 200, 'application/json', '{"run_id":"h"}', false, null, now() - interval '59 minutes'),
  -- Same id as HN's request but from before it was sent (pg_net recreated): not its answer.
  (990000010, 200, 'application/json', '{"run_id":"old"}', false, null, now() - interval '2 days');

-- Runs of the scorer.
-- A partial run (one game scored, others skipped) that wrote its prediction for the game of
-- `scored_state`.
create function pg_temp.partial_run(
  run_trigger public.scoring_trigger, run_scope jsonb, scored_state text, finished timestamptz
) returns void
language sql
as $$
  with run as (
    insert into public.scoring_runs (trigger, scope, status, scored_count, skipped_count, started_at, finished_at)
    values (run_trigger, run_scope, 'partial', 1, 1, finished, finished)
    returning id
  )
  insert into public.predictions (game_id, prediction_date, model_version, ai_score, win_probability,
    expected_value, expected_return, expected_return_low, expected_return_high, confidence_level,
    recommendation, reasoning, run_id)
  select game.id, finished::date, 'health-test', 40, 0.25, -1.6, 0.68, 0.6, 0.75, 70, 'avoid', 'x', run.id
  from public.games as game, run
  where game.game_number = 'HEALTH-' || scored_state;
$$;

-- HI: a partial run 25 hours ago that scored its game counts.
select pg_temp.partial_run('cron', '{"states": ["HI"]}', 'HI', now() - interval '25 hours');
insert into public.scoring_runs (trigger, scope, status, started_at, finished_at)
values
  ('cron', '{"states": ["HA"]}', 'succeeded', now() - interval '58 minutes', now() - interval '57 minutes'),
  ('cron', '{"states": ["HB"]}', 'succeeded', now() - interval '2 hours', now() - interval '2 hours'),
  ('cron', '{"states": ["HC"]}', 'succeeded', now() - interval '2 hours', now() - interval '2 hours'),
  ('cron', '{"states": ["HD"]}', 'succeeded', now() - interval '2 hours', now() - interval '2 hours'),
  ('cron', '{"states": ["HE"]}', 'succeeded', now() - interval '2 hours', now() - interval '2 hours'),
  ('http', '{"states": ["HF", "HM"]}', 'succeeded', now() - interval '3 hours', now() - interval '3 hours'),
  ('cron', '{"states": ["HG"]}', 'succeeded', now() - interval '4 hours', now() - interval '4 hours'),
  -- HH: the last success is 27 hours old; a newer run failed.
  ('cron', '{"states": ["HH"]}', 'succeeded', now() - interval '27 hours', now() - interval '27 hours'),
  ('cron', '{"states": ["HH"]}', 'failed', now() - interval '58 minutes', now() - interval '57 minutes'),
  -- HO: a partial run that skipped every game scored nothing: it does not count.
  ('cron', '{"states": ["HO"]}', 'partial', now() - interval '1 hour', now() - interval '1 hour'),
  -- HJ: runs limited to some games do not cover the state.
  ('http', '{"states": ["HJ"], "game_ids": [1]}', 'succeeded', now() - interval '1 hour', now() - interval '1 hour'),
  ('http', '{"game_ids": [1]}', 'succeeded', now() - interval '1 hour', now() - interval '1 hour'),
  ('cron', '{"states": ["HN"]}', 'succeeded', now() - interval '1 hour', now() - interval '1 hour');

select cmp_ok(
  private.capture_scoring_responses(), '>=', 8,
  'the capture step records the 7 answered requests and the 1 never answered'
);

set local role service_role;
select results_eq(
  $$select state, last_request_status, last_request_failure, last_request_http_status, stale, healthy
    from public.scoring_health
    where state in ('HA', 'HB', 'HC', 'HD', 'HE', 'HF', 'HG', 'HH', 'HI', 'HJ', 'HK', 'HL', 'HM', 'HN', 'HO')
    order by state$$,
  $$values
    ('HA', 'succeeded', null, 200, false, true),
    ('HB', 'failed', 'http_error', 401, false, false),
    ('HC', 'failed', 'timed_out', null, false, false),
    ('HD', 'failed', 'timed_out', null, false, false),
    ('HE', 'failed', 'error', null, false, false),
    ('HF', 'pending', null, null, false, true),
    ('HG', 'failed', 'no_response', null, false, false),
    ('HH', 'succeeded', null, 200, true, false),
    ('HI', null, null, null, false, true),
    ('HJ', null, null, null, true, false),
    ('HK', null, null, null, true, false),
    ('HM', null, null, null, false, true),
    ('HN', 'pending', null, null, false, true),
    ('HO', null, null, null, true, false)$$,
  'per state: the last request''s outcome, stale and healthy'
);
select is(
  (select problem from public.scoring_health where state = 'HA'),
  null,
  'a 200 with a fresh succeeded run is healthy, with no problem'
);
select is(
  (select last_request_id from public.scoring_health where state = 'HB'),
  990000003::bigint,
  'the last request is the newest one'
);
select is(
  (select problem from public.scoring_health where state = 'HB'),
  'the last request failed (http_error): HTTP 401: {"error":{"code":"unauthorized"}}',
  'a 401 is a failure, with the answer in the problem'
);
select matches(
  (select last_request_error from public.scoring_health where state = 'HC'),
  '^Timeout of 2000 ms reached',
  'a timeout is a failure, with pg_net''s message'
);
select is(
  (select last_request_error from public.scoring_health where state = 'HE'),
  'Couldn''t connect to server',
  'a transport error is a failure, with pg_net''s message'
);
select matches(
  (select last_request_error from public.scoring_health where state = 'HG'),
  '^pg_net recorded no response',
  'a request never answered long after its timeout is a failure'
);
select is(
  (select problem from public.scoring_health where state = 'HH'),
  'no succeeded run in the last 26 hours',
  'no succeeded run for 26 hours is stale even after a 200'
);
select is(
  (select last_succeeded_run_status::text from public.scoring_health where state = 'HI'),
  'partial',
  'a partial run that scored games counts as succeeded'
);
select matches(
  (select problem from public.scoring_health where state = 'HK'),
  'no request sent in that time',
  'a state never requested says so'
);
select is_empty(
  $$select 1 from public.scoring_health where state = 'HL'$$,
  'a state without active games is not listed'
);
select is(
  (select active_games from public.scoring_health where state = 'HA'),
  1,
  'active games are counted'
);
reset role;

select is(
  (select outcome from private.scoring_requests where net_request_id = 990000002),
  'ok',
  'older requests are captured too'
);
select is(
  (select response_body from private.scoring_requests where net_request_id = 990000003),
  '{"error":{"code":"unauthorized"}}',
  'the answer''s body is kept for reading failures'
);

-- A late answer replaces "no response".
insert into net._http_response (id, status_code, content, timed_out, created)
values (990000008, 200, '{"run_id":"g"}', false, now());
select private.capture_scoring_responses();
select is(
  (select last_request_status from public.scoring_health where state = 'HG'),
  'succeeded',
  'a response arriving after no_response was marked is still captured'
);

-- A partial run over all states counts only for the states it wrote predictions for (HA's).
select pg_temp.partial_run('cli', '{}', 'HA', now() - interval '9 minutes');
select results_eq(
  $$select state, stale from public.scoring_health where state in ('HA', 'HK') order by state$$,
  $$values ('HA', false), ('HK', true)$$,
  'a partial run over all states leaves a state it scored no game of stale'
);

-- A run over all states (empty scope) covers every state.
insert into public.scoring_runs (trigger, scope, status, started_at, finished_at)
values ('cli', '{}', 'succeeded', now() - interval '5 minutes', now() - interval '1 minute');
select results_eq(
  $$select state, stale from public.scoring_health where state in ('HH', 'HJ', 'HK') order by state$$,
  $$values ('HH', false), ('HJ', false), ('HK', false)$$,
  'a run with an empty scope covers every state'
);
select is(
  (select healthy from public.scoring_health where state = 'HB'),
  false,
  'a fresh run does not hide a failed request'
);

-- The view reads only what service_role may read (security invoker).
select is(
  (select reloptions from pg_class where oid = 'public.scoring_health'::regclass),
  array['security_invoker=true'],
  'scoring_health runs with the privileges of its reader'
);
select is(
  (select count(*)::int from private.scoring_requests where state = 'HF' and outcome is null),
  1,
  'a request still within its timeout stays pending'
);

select * from finish();
rollback;
