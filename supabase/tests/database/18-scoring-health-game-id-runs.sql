-- scoring_health's last run of a state includes a run requested by game ids when one of the ids
-- is a game of the state: an abandoned one makes the state unhealthy and says so; a state none of
-- whose games it named is not touched. Rolled back.
begin;
select plan(6);

-- Runs left by other tests step aside until the rollback.
delete from public.scoring_runs;

insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
select state, 'IDS-' || state, 'Ids ' || state, 5, 3.5
from unnest(array['GA', 'GB']) as state;

-- Yesterday both states were scored; then a run by game ids (GA's game only) was abandoned.
insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at)
values ('cron', '{"states": ["GA", "GB"]}', current_date - 1, 'succeeded',
  now() - interval '20 hours', now() - interval '20 hours');
insert into public.scoring_runs (trigger, scope, prediction_date, status, error, started_at,
  finished_at)
select 'http', jsonb_build_object('game_ids', jsonb_build_array(game.id)), current_date,
  'abandoned', 'Abandoned: its function stopped renewing the run''s lease', now() - interval '1 hour',
  now() - interval '50 minutes'
from public.games as game
where game.game_number = 'IDS-GA';

select ok(
  private.scope_touches_state(
    (select scope from public.scoring_runs where status = 'abandoned'), 'GA'),
  'a run by game ids touches the state of one of its games'
);
select ok(
  not private.scope_covers_state(
    (select scope from public.scoring_runs where status = 'abandoned'), 'GA'),
  'but does not cover it (it did not score the state)'
);
select is(
  (select last_run_status::text from public.scoring_health where state = 'GA'),
  'abandoned',
  'the abandoned run by game ids is GA''s last run'
);
select is(
  (select healthy from public.scoring_health where state = 'GA'),
  false,
  'GA is not healthy'
);
select matches(
  (select problem from public.scoring_health where state = 'GA'),
  '^the last run \([0-9a-f-]+\) was abandoned: Abandoned: its function stopped renewing',
  'its problem names the abandoned run'
);
select results_eq(
  $$select last_run_status::text, healthy from public.scoring_health where state = 'GB'$$,
  $$values ('succeeded', true)$$,
  'GB, none of whose games it named, keeps its own last run and stays healthy'
);

select * from finish();
rollback;
