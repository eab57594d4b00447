-- A night at 50 states completes. Fifty states of one active game each; the night sends at most
-- 8 requests at once; the function (played here) refuses every third request it gets at first
-- (429) and scores the others. Minute after minute (each dispatch_scoring() call here) the
-- dispatcher sends the next states and retries the refused ones, until every state is scored,
-- within a bounded number of dispatches and attempts. Rolled back, so nothing is ever sent.
begin;
select plan(6);

delete from public.scoring_runs;
delete from private.scoring_requests;
delete from private.scoring_nights;
update public.games set is_active = false;
insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
select chr(65 + n / 26) || chr(65 + n % 26), 'FIFTY', 'Fifty', 5, 3.5
from generate_series(0, 49) as n;

-- The function, played: every request in flight is answered; one in three first attempts is
-- refused (429), the others score their state (a succeeded cron run for tonight) and answer 200.
create function pg_temp.answer_all()
returns void
language sql
as $$
  with answered as (
    select request.*, request.attempt = 1 and request.id % 3 = 0 as refused
    from private.scoring_requests as request
    where request.outcome is null
  ),
  scored as (
    insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at, request_token)
    select 'cron', jsonb_build_object('states', jsonb_build_array(answered.state)),
      answered.prediction_date, 'succeeded', now(), now(), answered.token
    from answered where not answered.refused
  )
  insert into net._http_response (id, status_code, headers, content, timed_out, created)
  select answered.net_request_id, case when answered.refused then 429 else 200 end,
    jsonb_build_object('x-scoring-request-token', answered.token), '{}', false, now()
  from answered;
$$;

create temporary table dispatches (round integer, sent integer) on commit drop;
insert into dispatches
select 0, count(*) from private.start_nightly_scoring(max_in_flight => 8, max_attempts => 3);

do $$
declare
  round integer := 0;
  sent integer;
begin
  loop
    round := round + 1;
    perform pg_temp.answer_all();
    select count(*) into sent from private.dispatch_scoring();
    insert into dispatches values (round, sent);
    exit when sent = 0 or round >= 30;
  end loop;
end
$$;

select is((select sent from dispatches where round = 0), 8, 'the night opens with 8 requests');
select is(
  (select max(sent) from dispatches),
  8,
  'never more than max_in_flight requests go out at once'
);
select cmp_ok(
  (select max(round) from dispatches),
  '<=',
  10,
  'fifty states settle within ten dispatches (ten minutes of the dispatch job)'
);
set local role service_role;
select is(
  (select count(*) filter (where night_status = 'done')::text || ' of ' || count(*)
   from public.scoring_health),
  '50 of 50',
  'all fifty states are scored tonight'
);
reset role;
select is(
  (select count(*)::int from private.scoring_requests where attempt = 2),
  (select count(*)::int from private.scoring_requests where attempt = 1 and status_code = 429),
  'every refused state was retried once, and only those'
);
select is(
  (select count(*)::int from (
     select scope from public.scoring_runs where prediction_date = private.scoring_date_today()
     group by scope having count(*) > 1) as twice),
  0,
  'no state was scored twice'
);

select * from finish();
rollback;
