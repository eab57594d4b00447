-- The nightly fan-out that completes at 50 states. pg_net sends everything queued at once, and
-- score-games keeps a bounded number of runs in flight per instance, refusing the rest at once
-- (429, or 409 while an overlapping run goes on), so one request per state at the same moment
-- left most states unscored. Now a night is paced and retried, set-based, in SQL:
--
--   private.start_nightly_scoring()  opens tonight (private.scoring_nights: today in
--                                    America/Chicago, its limits) and sends the first requests;
--   private.dispatch_scoring()       every minute (pg_cron 1.4 has no seconds): captures pg_net's
--                                    answers, then sends, up to `max_in_flight` requests of the
--                                    night in flight, the states not scored tonight whose last
--                                    request failed (any non-2xx, timed out, no connection, no
--                                    response) or that were not requested yet, at most
--                                    `max_attempts` requests per state, until `dispatch_until`.
--
-- private.scoring_night_progress(date) says, per state with active games, how far a night is:
-- attempts, requests in flight, failed attempts, the last outcome and the run that scored it.
-- scoring_health (next migration) reads it as done / pending / retried / failed. The jobs that
-- call these are scheduled in 20261203001600_paced_nightly_schedule.

create table private.scoring_nights (
  prediction_date date primary key,
  started_at timestamptz not null default now(),
  -- Requests of the night in flight at once (score-games admits 8 runs per instance by default).
  max_in_flight integer not null check (max_in_flight between 1 and 100),
  -- Requests per state at most: the first one and its retries.
  max_attempts integer not null check (max_attempts between 1 and 20),
  timeout_milliseconds integer not null check (timeout_milliseconds between 1 and 600000),
  -- Nothing is sent after this; a state not scored by then has failed tonight.
  dispatch_until timestamptz not null,
  check (dispatch_until > started_at)
);
alter table private.scoring_nights enable row level security;
revoke all on private.scoring_nights from public, anon, authenticated;
grant select on private.scoring_nights to service_role;

comment on table private.scoring_nights is
  'One row per nightly scoring (its prediction date) with the limits its dispatcher works within.';

-- Whether a run's scope covers a state: not limited to some games, and naming the state or no
-- states at all.
create function private.scope_covers_state(scope jsonb, state text)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select jsonb_typeof(scope -> 'game_ids') is distinct from 'array'
    and (jsonb_typeof(scope -> 'states') is distinct from 'array' or scope -> 'states' ? state)
$$;

-- Whether a closed run scored a state: it covers it and succeeded, or it was partial and wrote a
-- prediction for one of the state's games (a run that skipped every game of a state did not).
create function private.run_scored_state(run public.scoring_runs, state text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.scope_covers_state(run.scope, run_scored_state.state)
    and (
      run.status = 'succeeded'
      or (
        run.status = 'partial'
        and exists (
          select 1
          from public.predictions as prediction
          join public.games as game on game.id = prediction.game_id
          where prediction.run_id = run.id and game.state = run_scored_state.state
        )
      )
    )
$$;

create function private.scoring_night_progress(night_date date)
returns table (
  state text,
  attempts integer,
  in_flight integer,
  failed_attempts integer,
  last_outcome text,
  scored_run_id uuid
)
language sql
stable
set search_path = ''
as $$
  select
    active.state,
    requests.attempts,
    requests.in_flight,
    requests.failed_attempts,
    requests.last_outcome,
    scored.id
  from (select distinct game.state from public.games as game where game.is_active) as active
  cross join lateral (
    select
      count(*)::integer as attempts,
      count(*) filter (where request.outcome is null)::integer as in_flight,
      count(*) filter (where request.outcome <> 'ok')::integer as failed_attempts,
      (array_agg(request.outcome order by request.requested_at desc, request.id desc))[1]
        as last_outcome
    from private.scoring_requests as request
    where request.prediction_date = night_date and request.state = active.state
  ) as requests
  left join lateral (
    select run.id
    from public.scoring_runs as run
    where run.prediction_date = night_date
      and run.status in ('succeeded', 'partial')
      and private.run_scored_state(run, active.state)
    order by run.finished_at desc
    limit 1
  ) as scored on true
$$;

create function private.dispatch_scoring()
returns setof private.scoring_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
  night private.scoring_nights;
  requests_in_flight integer;
begin
  -- One dispatcher at a time (the minute job, the nightly job, a manual call): a second one
  -- waits, then sees the first one's requests in flight.
  perform pg_advisory_xact_lock(7301965, 1);
  perform private.capture_scoring_responses();

  select * into night
  from private.scoring_nights as open_night
  where open_night.started_at <= now() and now() < open_night.dispatch_until
  order by open_night.prediction_date desc
  limit 1;
  if not found then
    return;
  end if;

  select count(*)::integer into requests_in_flight
  from private.scoring_requests as request
  where request.prediction_date = night.prediction_date and request.outcome is null;

  return query
  select *
  from private.send_scoring_requests(
    array(
      select progress.state
      from private.scoring_night_progress(night.prediction_date) as progress
      where progress.scored_run_id is null
        and progress.in_flight = 0
        and progress.attempts < night.max_attempts
        -- A 2xx means the function ran the state's request: its run says what happened, and
        -- asking again would do the same.
        and progress.last_outcome is distinct from 'ok'
      -- States not requested yet first, then those with the fewest attempts.
      order by progress.attempts, progress.state
      limit greatest(night.max_in_flight - requests_in_flight, 0)
    ),
    night.prediction_date,
    night.timeout_milliseconds
  );
end
$$;

create function private.start_nightly_scoring(
  max_in_flight integer default 8,
  max_attempts integer default 5,
  timeout_milliseconds integer default 120000,
  dispatch_for interval default interval '4 hours'
) returns setof private.scoring_requests
language plpgsql
security definer
set search_path = ''
as $$
begin
  if dispatch_for is null or dispatch_for <= interval '0' then
    raise exception 'Cannot start the nightly scoring: dispatch_for must be positive'
      using errcode = '22023';
  end if;
  -- Starting the same night again (a re-run) keeps its requests and their attempts, and renews
  -- its limits and window.
  insert into private.scoring_nights as night (
    prediction_date, max_in_flight, max_attempts, timeout_milliseconds, dispatch_until
  )
  values (
    private.scoring_date_today(),
    start_nightly_scoring.max_in_flight,
    start_nightly_scoring.max_attempts,
    start_nightly_scoring.timeout_milliseconds,
    now() + dispatch_for
  )
  on conflict (prediction_date) do update set
    max_in_flight = excluded.max_in_flight,
    max_attempts = excluded.max_attempts,
    timeout_milliseconds = excluded.timeout_milliseconds,
    dispatch_until = excluded.dispatch_until;
  return query select * from private.dispatch_scoring();
end
$$;

revoke all on function private.scope_covers_state(jsonb, text) from public, anon, authenticated;
revoke all on function private.run_scored_state(public.scoring_runs, text)
from public, anon, authenticated;
revoke all on function private.scoring_night_progress(date) from public, anon, authenticated;
revoke all on function private.dispatch_scoring() from public, anon, authenticated;
revoke all on function private.start_nightly_scoring(integer, integer, integer, interval)
from public, anon, authenticated;
grant execute on function private.scope_covers_state(jsonb, text) to service_role;
grant execute on function private.run_scored_state(public.scoring_runs, text) to service_role;
grant execute on function private.scoring_night_progress(date) to service_role;
grant execute on function private.dispatch_scoring() to service_role;
grant execute on function private.start_nightly_scoring(integer, integer, integer, interval)
to service_role;

comment on function private.start_nightly_scoring(integer, integer, integer, interval) is
  'Opens tonight''s scoring (today in America/Chicago) with its limits and sends the first requests.';
comment on function private.dispatch_scoring() is
  'Captures answers, then sends the open night''s next requests: states not scored whose last request failed or that were never requested, within max_in_flight and max_attempts.';
comment on function private.scoring_night_progress(date) is
  'Per state with active games: requests for that date (attempts, in flight, failed), the last outcome and the run that scored it.';
