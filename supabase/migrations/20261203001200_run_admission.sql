-- Admitting a scoring run. At most one run at a time may score a game for a prediction date.
-- The function used to hold a session advisory lock keyed by hashtext(scope) on a reserved
-- connection: two different scopes could share a key (hashtext('{"game_ids":[51837]}') =
-- hashtext('{"game_ids":[54437]}'), a false 409), overlapping scopes did not conflict at all (an
-- all-states run and a per-state run both wrote the same rows), and holding a connection while
-- waiting for others hung the function.
--
-- private.start_scoring_run() admits one run at a time (a transaction-scoped advisory lock held
-- for the few milliseconds of its check and insert, released when its statement commits), sweeps
-- abandoned runs first, and then inserts the run's `running` row, unless a running run for the
-- same prediction date could score one of the same games: then it inserts nothing and returns
-- that run's id (the function answers 409 with it). Scopes are compared game by game, never
-- hashed. The run's row carries the token of the request that started it, if any (the nightly
-- job's requests send one; see the next migration).

alter table public.scoring_runs add column request_token uuid;

comment on column public.scoring_runs.request_token is
  'The X-Scoring-Request-Token header of the request that started the run (nightly requests send one).';

create index scoring_runs_request_token_idx on public.scoring_runs (request_token)
where request_token is not null;

-- Whether two scopes ({"states": [...], "game_ids": [...]}, an absent key meaning "all") could
-- both score some game: is there a game, active or not, that both select?
create function private.scoring_scopes_overlap(scope_a jsonb, scope_b jsonb)
returns boolean
language sql
stable
set search_path = ''
as $$
  select exists (
    select 1
    from public.games as game
    where (jsonb_typeof(scope_a -> 'states') is distinct from 'array' or scope_a -> 'states' ? game.state)
      and (jsonb_typeof(scope_a -> 'game_ids') is distinct from 'array'
        or scope_a -> 'game_ids' @> to_jsonb(game.id))
      and (jsonb_typeof(scope_b -> 'states') is distinct from 'array' or scope_b -> 'states' ? game.state)
      and (jsonb_typeof(scope_b -> 'game_ids') is distinct from 'array'
        or scope_b -> 'game_ids' @> to_jsonb(game.id))
  )
$$;

revoke all on function private.scoring_scopes_overlap(jsonb, jsonb) from public, anon, authenticated;
grant execute on function private.scoring_scopes_overlap(jsonb, jsonb) to service_role;

create function private.start_scoring_run(
  run_trigger public.scoring_trigger,
  run_scope jsonb,
  run_prediction_date date,
  lease_seconds integer,
  run_request_token uuid default null
) returns table (run_id uuid, running_run_id uuid)
language plpgsql
security definer
set search_path = ''
as $$
declare
  conflicting uuid;
  started uuid;
begin
  if lease_seconds is null or lease_seconds not between 1 and 3600 then
    raise exception 'Cannot start a run: lease_seconds must be between 1 and 3600, got %',
      coalesce(lease_seconds::text, 'NULL')
      using errcode = '22023';
  end if;
  if run_prediction_date is null then
    raise exception 'Cannot start a run: prediction_date is required' using errcode = '22004';
  end if;

  -- One admission at a time: under read committed, two concurrent checks would both find no
  -- conflict. The lock is released when this statement's transaction ends.
  perform pg_advisory_xact_lock(7301965, 0);
  perform private.sweep_abandoned_runs();

  select run.id into conflicting
  from public.scoring_runs as run
  where run.status = 'running'
    and run.prediction_date = run_prediction_date
    and private.scoring_scopes_overlap(run.scope, run_scope)
  order by run.started_at, run.id
  limit 1;
  if conflicting is not null then
    return query select null::uuid, conflicting;
    return;
  end if;

  insert into public.scoring_runs (
    trigger, scope, prediction_date, status, lease_expires_at, request_token
  )
  values (
    run_trigger, run_scope, run_prediction_date, 'running',
    clock_timestamp() + make_interval(secs => lease_seconds), run_request_token
  )
  returning id into started;
  return query select started, null::uuid;
end
$$;

revoke all on function private.start_scoring_run(public.scoring_trigger, jsonb, date, integer, uuid)
from public, anon, authenticated;
grant execute on function private.start_scoring_run(public.scoring_trigger, jsonb, date, integer, uuid)
to service_role;

comment on function private.start_scoring_run(public.scoring_trigger, jsonb, date, integer, uuid) is
  'Admits a run: its new running row''s id, or (run_id NULL) the id of the running run whose scope overlaps it on that date.';
