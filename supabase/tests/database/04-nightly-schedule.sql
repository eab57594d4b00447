-- The nightly schedule: pg_cron jobs scheduled once with the right schedules, the private
-- functions locked down to service_role, and request_scoring queueing one pg_net request per
-- active state with the Vault URL and key, today's date and a token of its own (or failing
-- clearly without them). Rolled back, so nothing is ever sent.
begin;
select plan(37);

select has_extension('pg_cron', 'pg_cron is installed');
select has_extension('pg_net', 'pg_net is installed');

-- Jobs: each exactly once, with its schedule, active, run as postgres in this database.
select results_eq(
  $$select schedule, command from cron.job where jobname = 'score-games-nightly'$$,
  $$values ('0 8 * * *', 'select private.start_nightly_scoring()')$$,
  'score-games-nightly opens the night at 08:00 UTC, once'
);
select results_eq(
  $$select schedule, command from cron.job where jobname = 'score-games-dispatch'$$,
  $$values ('* * * * *', 'select private.dispatch_scoring()')$$,
  'score-games-dispatch sends the night''s next requests and retries every minute, once'
);
select results_eq(
  $$select schedule, command from cron.job where jobname = 'score-games-sweep-abandoned-runs'$$,
  $$values ('* * * * *', 'select private.sweep_abandoned_runs()')$$,
  'score-games-sweep-abandoned-runs runs every minute, once'
);
select results_eq(
  $$select schedule, command from cron.job where jobname = 'score-games-capture-responses'$$,
  $$values ('*/5 * * * *', 'select private.capture_scoring_responses()')$$,
  'score-games-capture-responses runs every 5 minutes, once'
);
select results_eq(
  $$select schedule from cron.job where jobname = 'cron-job-run-details-cleanup'$$,
  $$values ('30 7 * * *')$$,
  'cron-job-run-details-cleanup runs daily, once'
);
select is(
  (select command from cron.job where jobname = 'cron-job-run-details-cleanup'),
  'select private.prune_scheduling_logs()',
  'the cleanup prunes the scheduling logs'
);
select is(
  (select count(*)::int from cron.job
   where jobname in ('score-games-nightly', 'score-games-dispatch', 'score-games-sweep-abandoned-runs',
     'score-games-capture-responses', 'cron-job-run-details-cleanup')
     and active and username = 'postgres' and database = current_database()),
  5,
  'the five jobs are active and run as postgres in this database'
);

-- The functions: security definer, empty search_path, service_role only.
select is_definer('private', 'request_scoring', array['text[]', 'integer'], 'request_scoring is security definer');
select is_definer('private', 'capture_scoring_responses', array['interval'], 'capture is security definer');
select is_definer('private', 'start_nightly_scoring', array['integer', 'integer', 'integer', 'interval'], 'start_nightly_scoring is security definer');
select is_definer('private', 'dispatch_scoring', array[]::text[], 'dispatch_scoring is security definer');
select is_definer('private', 'sweep_abandoned_runs', array[]::text[], 'sweep_abandoned_runs is security definer');
select is_definer('private', 'start_scoring_run', array['scoring_trigger', 'jsonb', 'date', 'integer', 'uuid'], 'start_scoring_run is security definer');
select is(
  (select count(*)::int from pg_proc
   where pronamespace = 'private'::regnamespace
     and not coalesce(proconfig @> array['search_path=""'], false)),
  0,
  'every private function pins an empty search_path'
);
select is(
  (select count(*)::int from pg_proc
   where pronamespace = 'private'::regnamespace
     -- The trigger function and the snapshot validator need no grant to be safe.
     and proname not in ('set_updated_at', 'is_tier_count_map')
     and (has_function_privilege('anon', oid, 'execute')
       or has_function_privilege('authenticated', oid, 'execute'))),
  0,
  'anon and authenticated can execute no private function'
);
select function_privs_are('private', 'request_scoring', array['text[]', 'integer'], 'anon', array[]::text[], 'anon cannot request scoring');
select function_privs_are('private', 'request_scoring', array['text[]', 'integer'], 'authenticated', array[]::text[], 'authenticated cannot request scoring');
select function_privs_are('private', 'request_scoring', array['text[]', 'integer'], 'service_role', array['EXECUTE'], 'service_role can request scoring');
select function_privs_are('private', 'capture_scoring_responses', array['interval'], 'anon', array[]::text[], 'anon cannot capture');
select function_privs_are('private', 'capture_scoring_responses', array['interval'], 'authenticated', array[]::text[], 'authenticated cannot capture');
select function_privs_are('private', 'capture_scoring_responses', array['interval'], 'service_role', array['EXECUTE'], 'service_role can capture');
select table_privs_are('private', 'scoring_requests', 'anon', array[]::text[], 'anon cannot touch scoring_requests');
select table_privs_are('private', 'scoring_requests', 'service_role', array['SELECT'], 'service_role only reads scoring_requests');

-- Without the Vault secrets: a clear error and nothing queued.
delete from vault.secrets where name in ('project_url', 'service_role_key');
insert into public.games (state, game_number, game_name, ticket_price, overall_odds, is_active)
values ('QA', 'SCHED-1', 'Schedule A', 5, 3.5, true),
  ('QA', 'SCHED-2', 'Schedule A2', 10, 3.1, true),
  ('QB', 'SCHED-3', 'Schedule B', 2, 4.2, true),
  ('QE', 'SCHED-4', 'Ended', 1, 4.8, false);
select throws_ok(
  $$select private.request_scoring()$$,
  'P0002',
  'Cannot request scoring: Vault secret project_url is missing',
  'a missing project_url is named'
);
select vault.create_secret('https://test-ref.supabase.co/', 'project_url');
select throws_ok(
  $$select private.request_scoring()$$,
  'P0002',
  'Cannot request scoring: Vault secret service_role_key is missing',
  'a missing service_role_key is named'
);
select vault.create_secret('test-secret-key', 'service_role_key');
select throws_like(
  $$select private.request_scoring(timeout_milliseconds := 700000)$$,
  '%timeout_milliseconds must be between 1 and 600000%',
  'a timeout pg_net would refuse is refused up front'
);

-- With them: one request per state with active games, recorded and queued for pg_net.
create temporary table sent on commit drop as
select * from private.request_scoring(array['QA', 'QB', 'QE']);

select results_eq(
  $$select state, timeout_milliseconds, outcome from sent order by state$$,
  $$values ('QA', 120000, null::text), ('QB', 120000, null::text)$$,
  'one pending request per state with active games, 120 s timeout (none for a state without)'
);
select results_eq(
  $$select queue.method::text, queue.url, convert_from(queue.body, 'UTF8')::jsonb,
      queue.timeout_milliseconds
    from sent join net.http_request_queue as queue on queue.id = sent.net_request_id
    order by sent.state$$,
  $$values
    ('POST', 'https://test-ref.supabase.co/functions/v1/score-games',
      jsonb_build_object('trigger', 'cron', 'states', array['QA'],
        'prediction_date', (now() at time zone 'America/Chicago')::date), 120000),
    ('POST', 'https://test-ref.supabase.co/functions/v1/score-games',
      jsonb_build_object('trigger', 'cron', 'states', array['QB'],
        'prediction_date', (now() at time zone 'America/Chicago')::date), 120000)$$,
  'pg_net has a POST of {"trigger":"cron","states":[state],"prediction_date":today} to the Vault URL for each'
);
select is(
  (select count(*)::int from sent join net.http_request_queue as queue on queue.id = sent.net_request_id
   where queue.headers ->> 'X-Scoring-Request-Token' = sent.token::text),
  2,
  'each request sends its own recorded token as X-Scoring-Request-Token'
);
select results_eq(
  $$select state, attempt, prediction_date from sent order by state$$,
  $$values ('QA', 1, (now() at time zone 'America/Chicago')::date),
    ('QB', 1, (now() at time zone 'America/Chicago')::date)$$,
  'each is the first attempt for its state and today''s date (America/Chicago)'
);
select results_eq(
  $$select state, attempt from private.request_scoring(array['QA'])$$,
  $$values ('QA', 2)$$,
  'a second request for the same state and day is its second attempt'
);
select is(
  (select count(distinct token)::int from private.scoring_requests where state in ('QA', 'QB')),
  3,
  'every request has a token of its own'
);
select is(
  (select count(*)::int from sent join net.http_request_queue as queue on queue.id = sent.net_request_id
   where queue.headers ->> 'Authorization' = 'Bearer test-secret-key'
     and queue.headers ->> 'apikey' = 'test-secret-key'
     and queue.headers ->> 'Content-Type' = 'application/json'),
  2,
  'each request carries the Vault key as Bearer token and apikey'
);
select is(
  -- By token: pg_net ids restart after a crash, so older requests may share these ids.
  (select count(*)::int from private.scoring_requests where token in (select token from sent)),
  2,
  'each request is recorded in private.scoring_requests'
);
select is_empty(
  $$select * from private.request_scoring(array['QE'])$$,
  'a state with no active game gets no request'
);

select * from finish();
rollback;
