-- A partial run counts for a state in scoring_health only when it wrote a prediction for one of
-- that state's games: a run over several states that skipped every game of one state left that
-- state unscored (its run-wide scored_count said nothing about the state). predictions.run_id
-- gets the index this needs, which its foreign key lacked (deleting a run scanned every
-- prediction; Supabase's database linter flags unindexed foreign keys).

create index predictions_run_id_idx on public.predictions (run_id);

create or replace view public.scoring_health
with (security_invoker = true)
as
with active_states as (
  select game.state, count(*)::integer as active_games
  from public.games as game
  where game.is_active
  group by game.state
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
    last_run.id as last_succeeded_run_id,
    last_run.status as last_succeeded_run_status,
    last_run.finished_at as last_succeeded_run_at,
    last_run.id is null or last_run.finished_at < now() - interval '26 hours' as stale
  from active_states as active
  left join lateral (
    select request.*
    from private.scoring_requests as request
    where request.state = active.state
    order by request.requested_at desc, request.id desc
    limit 1
  ) as last_request on true
  left join lateral (
    -- A run covers a state when it was not limited to some games and its states (absent: all)
    -- include it. A partial run scored the games it could: it counts for the state when it
    -- wrote a prediction for one of the state's games.
    select run.id, run.status, run.finished_at
    from public.scoring_runs as run
    where (
        run.status = 'succeeded'
        or (
          run.status = 'partial'
          and exists (
            select 1
            from public.predictions as prediction
            join public.games as game on game.id = prediction.game_id
            where prediction.run_id = run.id and game.state = active.state
          )
        )
      )
      and jsonb_typeof(coalesce(run.scope -> 'game_ids', 'null')) = 'null'
      and (
        jsonb_typeof(coalesce(run.scope -> 'states', 'null')) = 'null'
        or run.scope -> 'states' ? active.state
      )
    order by run.finished_at desc
    limit 1
  ) as last_run on true
)
select
  health.*,
  not health.stale and health.last_request_status is distinct from 'failed' as healthy,
  nullif(concat_ws('; ',
    case when health.last_request_status = 'failed' then
      'the last request failed (' || health.last_request_failure || '): '
        || coalesce(health.last_request_error, 'no detail')
    end,
    case when health.stale then
      'no succeeded run in the last 26 hours'
        || case
          when health.last_requested_at is null
            or health.last_requested_at < now() - interval '26 hours'
          then ' and no request sent in that time (see cron.job_run_details of score-games-nightly)'
          else ''
        end
    end
  ), '') as problem
from health;

comment on column public.scoring_health.stale is
  'No succeeded run (or partial run that wrote a prediction for this state) in the last 26 hours.';
