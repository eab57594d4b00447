-- A run records its warnings: what the request named that matched nothing (no_games_in_state,
-- unknown_game_ids, game_ids_not_in_run), which until now only the HTTP answer carried, so a
-- nightly request answered into pg_net's log left no trace of them on the run. The same objects
-- as the answer's `warnings`; [] for a run with none (and for runs closed before this column).

alter table public.scoring_runs
  add column warnings jsonb not null default '[]'::jsonb
    constraint scoring_runs_warnings_is_array check (jsonb_typeof(warnings) = 'array');

comment on column public.scoring_runs.warnings is
  'What the request named that matched nothing: the answer''s warnings ({code, message, state?, game_ids?}).';
