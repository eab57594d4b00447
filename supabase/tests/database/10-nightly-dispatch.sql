-- The paced, retried nightly: start_nightly_scoring opens tonight and sends at most max_in_flight
-- requests; dispatch_scoring captures answers and sends the next states (never requested first,
-- then those whose last request failed), never a state already scored, in flight, answered 2xx
-- or out of attempts; scoring_health reads each state's night as done, pending, retried or
-- failed. Answers are written into net._http_response as pg_net writes them. Rolled back, so
-- nothing is ever sent.
begin;
select plan(20);

-- Six states of one active game each; every other game steps aside until the rollback.
delete from public.scoring_runs;
delete from private.scoring_requests;
delete from private.scoring_nights;
update public.games set is_active = false;
insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
select state, 'NIGHT-' || state, 'Night ' || state, 5, 3.5
from unnest(array['XA', 'XB', 'XC', 'XD', 'XE', 'XF']) as state;
-- Yesterday's run scored every state: none is stale, so `healthy` reads tonight alone.
insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at)
values ('cron', '{}', private.scoring_date_today() - 1, 'succeeded', now() - interval '20 hours',
  now() - interval '20 hours');

-- What pg_net records for a request: an answer from the function (echoing the token), or a
-- transport failure without headers.
create function pg_temp.answer(answered_state text, status integer)
returns void
language sql
as $$
  insert into net._http_response (id, status_code, headers, content, timed_out, error_msg, created)
  select request.net_request_id, status,
    case when status is not null then jsonb_build_object('x-scoring-request-token', request.token) end,
    case when status is not null then '{}' end,
    status is null, case when status is null then 'Timeout of 60000 ms reached' end, now()
  from private.scoring_requests as request
  where request.state = answered_state and request.outcome is null;
$$;

-- A run that scored a state for tonight, as score-games records it.
create function pg_temp.scored(scored_state text)
returns void
language sql
as $$
  insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at)
  values ('cron', jsonb_build_object('states', jsonb_build_array(scored_state)),
    private.scoring_date_today(), 'succeeded', now(), now());
$$;

create function pg_temp.night()
returns table (state text, night_status text, night_attempts integer, healthy boolean)
language sql
as $$
  select state, night_status, night_attempts, healthy
  from public.scoring_health where state like 'X_' order by state
$$;

select results_eq(
  $$select state, attempt from private.start_nightly_scoring(max_in_flight => 4, max_attempts => 3,
      timeout_milliseconds => 60000) order by state$$,
  $$values ('XA', 1), ('XB', 1), ('XC', 1), ('XD', 1)$$,
  'the night opens and sends at most max_in_flight first requests'
);
select results_eq(
  $$select prediction_date, max_in_flight, max_attempts from private.scoring_nights$$,
  $$values (private.scoring_date_today(), 4, 3)$$,
  'tonight is recorded with its limits'
);
select is_empty(
  $$select * from private.dispatch_scoring()$$,
  'nothing more is sent while max_in_flight requests are in flight'
);
select results_eq(
  $$select * from pg_temp.night()$$,
  $$values ('XA', 'pending', 1, true), ('XB', 'pending', 1, true), ('XC', 'pending', 1, true),
    ('XD', 'pending', 1, true), ('XE', 'pending', 0, true), ('XF', 'pending', 0, true)$$,
  'every state is pending at first'
);

-- XA and XD are scored; XB is refused (429), XC times out.
select pg_temp.scored('XA'), pg_temp.scored('XD');
select pg_temp.answer('XA', 200), pg_temp.answer('XD', 200), pg_temp.answer('XB', 429),
  pg_temp.answer('XC', null);

select results_eq(
  $$select state, attempt from private.dispatch_scoring() order by state$$,
  $$values ('XB', 2), ('XC', 2), ('XE', 1), ('XF', 1)$$,
  'the next dispatch sends the states never requested and retries the failed ones'
);
select results_eq(
  $$select * from pg_temp.night()$$,
  $$values ('XA', 'done', 1, true), ('XB', 'retried', 2, true), ('XC', 'retried', 2, true),
    ('XD', 'done', 1, true), ('XE', 'pending', 1, true), ('XF', 'pending', 1, true)$$,
  'done, retried and pending, per state'
);
select results_eq(
  $$select night_run_id is not null, last_request_status from public.scoring_health where state = 'XA'$$,
  $$values (true, 'succeeded')$$,
  'a done state names the run that scored it'
);

-- XB fails again, XC is refused again, XE is answered 2xx without scoring anything, XF is scored.
select pg_temp.scored('XF');
select pg_temp.answer('XB', 500), pg_temp.answer('XC', 409), pg_temp.answer('XE', 200),
  pg_temp.answer('XF', 200);
select results_eq(
  $$select state, attempt from private.dispatch_scoring() order by state$$,
  $$values ('XB', 3), ('XC', 3)$$,
  'only failed states are retried: never a scored one, nor one answered 2xx'
);

select pg_temp.answer('XB', 503), pg_temp.answer('XC', null);
select is_empty(
  $$select * from private.dispatch_scoring()$$,
  'no state is requested more than max_attempts times'
);
select results_eq(
  $$select * from pg_temp.night()$$,
  $$values ('XA', 'done', 1, true), ('XB', 'failed', 3, false), ('XC', 'failed', 3, false),
    ('XD', 'done', 1, true), ('XE', 'failed', 1, false), ('XF', 'done', 1, true)$$,
  'states out of attempts, or answered 2xx without a run, have failed tonight'
);
select is(
  (select problem from public.scoring_health where state = 'XB'),
  'not scored for ' || private.scoring_date_today() || ' after 3 request(s); '
    || 'the last request failed (http_error): HTTP 503: {}',
  'the problem says the state was not scored tonight and after how many requests'
);
select is(
  (select count(*)::int from private.scoring_requests),
  10,
  'ten requests in all: six first ones and four retries'
);

-- A run that covers the state anyway (here one over all states) makes it done.
insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at)
values ('http', '{}', private.scoring_date_today(), 'succeeded', now(), now());
select results_eq(
  $$select state, night_status, healthy from public.scoring_health where state in ('XB', 'XE') order by state$$,
  $$values ('XB', 'done', true), ('XE', 'done', true)$$,
  'a failed request made good by a run covering the state is done and healthy'
);

-- A 401 (a wrong Vault key) is never made good by a run: it stays a problem.
select count(*) from private.request_scoring(array['XA']);
select pg_temp.answer('XA', 401);
select private.capture_scoring_responses();
select results_eq(
  $$select night_status, healthy, problem like 'the last request failed (http_error): HTTP 401%'
    from public.scoring_health where state = 'XA'$$,
  $$values ('done', false, true)$$,
  'a 401 after tonight''s run still makes the state unhealthy'
);

-- A night whose window closed sends nothing; what it did not score has failed.
delete from public.scoring_runs where scope = '{}' and prediction_date = private.scoring_date_today();
insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('XG', 'NIGHT-XG', 'Night XG', 5, 3.5);
update private.scoring_nights set started_at = now() - interval '5 hours',
  dispatch_until = now() - interval '1 hour';
select is_empty($$select * from private.dispatch_scoring()$$, 'a closed night sends nothing');
select is(
  (select night_status from public.scoring_health where state = 'XG'),
  'failed',
  'a state never requested before the window closed has failed tonight'
);

-- Starting tonight again reopens it and keeps the attempts made.
select results_eq(
  $$select state, attempt from private.start_nightly_scoring(max_in_flight => 2, max_attempts => 4)
    order by state$$,
  $$values ('XB', 4), ('XG', 1)$$,
  'a re-run of the nightly job sends what is still due, counting earlier attempts'
);
select results_eq(
  $$select state, night_status from public.scoring_health where state in ('XB', 'XG') order by state$$,
  $$values ('XB', 'retried'), ('XG', 'pending')$$,
  'the reopened night reads retried and pending'
);

select throws_ok(
  $$select private.start_nightly_scoring(dispatch_for => interval '0')$$,
  '22023',
  'Cannot start the nightly scoring: dispatch_for must be positive',
  'an empty dispatch window is refused'
);
select is(
  (select count(*)::int from net.http_request_queue as queue
   join private.scoring_requests as request on request.net_request_id = queue.id
   where queue.headers ->> 'X-Scoring-Request-Token' = request.token::text
     and convert_from(queue.body, 'UTF8')::jsonb ->> 'prediction_date' = private.scoring_date_today()::text),
  13,
  'every request, retries included, carries its own token and tonight''s date'
);

select * from finish();
rollback;
