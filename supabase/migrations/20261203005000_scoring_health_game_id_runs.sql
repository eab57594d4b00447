-- scoring_health's last run of a state (last_run_id, _status, _error, and so `healthy` and
-- `problem`) is now the newest run that touched the state: one whose scope covers it (all states,
-- or the state named) as before, and also one requested by game ids that include a game of the
-- state. Before, a run by game ids never showed, so an abandoned one went unnoticed.
-- private.scope_covers_state keeps its meaning (a run by game ids does not cover a state: it
-- scores only those games), which private.run_scored_state relies on. The view keeps its columns,
-- grants and comments (create or replace).

create function private.scope_touches_state(scope jsonb, state text)
returns boolean
language sql
stable
set search_path = ''
as $$
  select private.scope_covers_state(scope, scope_touches_state.state)
    or (
      jsonb_typeof(scope -> 'game_ids') = 'array'
      and exists (
        select 1
        from public.games as game
        where game.state = scope_touches_state.state
          and game.id in (
            select requested.value::bigint
            from jsonb_array_elements_text(scope -> 'game_ids') as requested (value)
          )
      )
    )
$$;

revoke all on function private.scope_touches_state(jsonb, text) from public, anon, authenticated;
grant execute on function private.scope_touches_state(jsonb, text) to service_role;

comment on function private.scope_touches_state(jsonb, text) is
  'Whether a run of this scope touched a state: it covers it (all states, or the state named), or it names game ids that include a game of the state.';

create or replace view public.scoring_health
with (security_invoker = true)
as
with active_states as (
  select game.state, count(*)::integer as active_games
  from public.games as game
  where game.is_active
  group by game.state
),
night as (
  select scoring_night.*
  from private.scoring_nights as scoring_night
  order by scoring_night.prediction_date desc
  limit 1
),
-- Computed once for every state (not per state).
night_progress as (
  select progress.*
  from night
  cross join lateral private.scoring_night_progress(night.prediction_date) as progress
),
health as (
  select
    active.state,
    active.active_games,
    last_request.net_request_id as last_request_id,
    last_request.requested_at as last_requested_at,
    case
      when last_request.id is null then null
      when last_request.outcome is null then 'pending'
      when last_request.outcome = 'ok' then 'succeeded'
      else 'failed'
    end as last_request_status,
    case when last_request.outcome <> 'ok' then last_request.outcome end as last_request_failure,
    last_request.status_code as last_request_http_status,
    case
      when last_request.outcome = 'http_error' then
        'HTTP ' || last_request.status_code
          || coalesce(': ' || left(last_request.response_body, 200), '')
      when last_request.outcome in ('timed_out', 'error', 'no_response') then
        last_request.error_message
    end as last_request_error,
    last_request.responded_at as last_responded_at,
    last_request.run_id as last_request_run_id,
    last_success.id as last_succeeded_run_id,
    last_success.status as last_succeeded_run_status,
    last_success.finished_at as last_succeeded_run_at,
    last_success.id is null or last_success.finished_at < now() - interval '26 hours' as stale,
    night.prediction_date as night_date,
    case
      when night.prediction_date is null then null
      when progress.scored_run_id is not null then 'done'
      when progress.in_flight = 0 and (
        progress.attempts >= night.max_attempts
        or now() >= night.dispatch_until
        or progress.last_outcome = 'ok'
      ) then 'failed'
      when progress.failed_attempts > 0 then 'retried'
      else 'pending'
    end as night_status,
    progress.attempts as night_attempts,
    progress.scored_run_id as night_run_id,
    last_run.id as last_run_id,
    last_run.status as last_run_status,
    last_run.error as last_run_error
  from active_states as active
  left join night on true
  left join night_progress as progress on progress.state = active.state
  left join lateral (
    select request.*
    from private.scoring_requests as request
    where request.state = active.state
    order by request.requested_at desc, request.id desc
    limit 1
  ) as last_request on true
  left join lateral (
    select run.id, run.status, run.finished_at
    from public.scoring_runs as run
    where run.status in ('succeeded', 'partial')
      and private.run_scored_state(run, active.state)
    order by run.finished_at desc
    limit 1
  ) as last_success on true
  left join lateral (
    select run.id, run.status, run.error
    from public.scoring_runs as run
    where private.scope_touches_state(run.scope, active.state)
    order by run.started_at desc, run.id desc
    limit 1
  ) as last_run on true
),
judged as (
  select
    health.*,
    -- A refusal to retry (409 a run in progress, 429 busy, 503 unavailable) or an answer that
    -- never came is made good by tonight's retry or run; any other failure (401: the Vault key
    -- is wrong; 400, 422, 500) stays a problem whatever ran since.
    health.last_request_status is not distinct from 'failed'
      and not (
        coalesce(health.night_status in ('done', 'retried'), false)
        and (
          health.last_request_http_status in (409, 429, 503)
          or health.last_request_failure in ('timed_out', 'error', 'no_response')
        )
      ) as request_failed
  from health
)
select
  judged.state,
  judged.active_games,
  judged.last_request_id,
  judged.last_requested_at,
  judged.last_request_status,
  judged.last_request_failure,
  judged.last_request_http_status,
  judged.last_request_error,
  judged.last_responded_at,
  judged.last_request_run_id,
  judged.last_succeeded_run_id,
  judged.last_succeeded_run_status,
  judged.last_succeeded_run_at,
  judged.stale,
  judged.night_date,
  judged.night_status,
  judged.night_attempts,
  judged.night_run_id,
  judged.last_run_id,
  judged.last_run_status,
  judged.last_run_error,
  not judged.stale
    and not judged.request_failed
    and judged.night_status is distinct from 'failed'
    and judged.last_run_status is distinct from 'abandoned' as healthy,
  nullif(concat_ws('; ',
    case when judged.night_status = 'failed' then
      'not scored for ' || judged.night_date || ' after ' || judged.night_attempts
        || ' request(s)'
    end,
    case when judged.request_failed then
      'the last request failed (' || judged.last_request_failure || '): '
        || coalesce(judged.last_request_error, 'no detail')
    end,
    case when judged.last_run_status = 'abandoned' then
      'the last run (' || judged.last_run_id || ') was abandoned: '
        || coalesce(judged.last_run_error, 'no detail')
    end,
    case when judged.stale then
      'no succeeded run in the last 26 hours'
        || case
          when judged.last_requested_at is null
            or judged.last_requested_at < now() - interval '26 hours'
          then ' and no request sent in that time (see cron.job_run_details of score-games-nightly)'
          else ''
        end
    end
  ), '') as problem
from judged;

comment on column public.scoring_health.last_run_status is
  'Status of the newest run that touched the state (covering it, or naming one of its games by id): running, succeeded, partial, failed or abandoned.';
