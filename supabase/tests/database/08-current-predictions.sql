-- current_predictions: one row per active game, the active model's latest prediction up to today
-- (America/Chicago); after a same-day model switch the newly active model's row; readable by
-- anon through the tables' own row level security (security_invoker).
begin;
select plan(11);

-- Only this file's games and models count here; the rest steps aside until the rollback.
update public.games set is_active = false where is_active;
update public.ml_models set is_active = false where is_active;

insert into public.ml_models (version, storage_path, sha256, feature_names, is_active)
values ('cp-old', 'cp-old.onnx', repeat('a', 64), array['price'], true),
  ('cp-new', 'cp-new.onnx', repeat('b', 64), array['price'], false);
insert into public.games (state, game_number, game_name, ticket_price, overall_odds, is_active)
values ('CP', 'CP-1', 'Current One', 5, 3.5, true),
  ('CP', 'CP-2', 'Current Two', 10, 3.1, true),
  ('CP', 'CP-3', 'Ended', 2, 4.0, false);

create temporary table today on commit drop as
select (now() at time zone 'America/Chicago')::date as d;

-- Rows: yesterday and today by cp-old, today by cp-new (the same-day switch), tomorrow by
-- cp-old, and rows of the ended game.
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select game.id, today.d + row.day_offset, row.model_version, row.ai_score, 0.25, -1.5,
  0.7, 0.6, 0.8, 60, 'avoid', 'About 70 cents per $1.'
from public.games as game
cross join today
cross join (values
  (-1, 'cp-old', 31),
  (0, 'cp-old', 32),
  (0, 'cp-new', 45),
  (1, 'cp-old', 33)
) as row(day_offset, model_version, ai_score)
where game.game_number in ('CP-1', 'CP-2', 'CP-3');

select results_eq(
  $$select game_number, prediction_date - (select d from today), model_version, ai_score
    from public.current_predictions order by game_number$$,
  $$values ('CP-1'::text, 0, 'cp-old'::text, 32), ('CP-2', 0, 'cp-old', 32)$$,
  'one row per active game: the active model''s row of today (not tomorrow''s, not the ended game''s)'
);

-- The same-day switch.
update public.ml_models set is_active = false where version = 'cp-old';
update public.ml_models set is_active = true where version = 'cp-new';
select results_eq(
  $$select game_number, prediction_date - (select d from today), model_version, ai_score
    from public.current_predictions order by game_number$$,
  $$values ('CP-1'::text, 0, 'cp-new'::text, 45), ('CP-2', 0, 'cp-new', 45)$$,
  'after a same-day model switch: one row per game, the newly active model''s'
);
select is(
  (select count(*)::int from public.predictions p join public.games g on g.id = p.game_id
   where g.game_number = 'CP-1' and p.prediction_date = (select d from today)),
  2,
  'both models'' rows of the day stay in predictions, for audit'
);

-- The active model's latest day, when it did not run today for a game.
delete from public.predictions p using public.games g
where g.id = p.game_id and g.game_number = 'CP-2' and p.model_version = 'cp-new';
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select game.id, today.d - 3, 'cp-new', 44, 0.25, -1.5, 0.7, 0.6, 0.8, 60, 'avoid', 'Earlier.'
from public.games as game cross join today where game.game_number = 'CP-2';
select results_eq(
  $$select game_number, prediction_date - (select d from today), model_version, ai_score
    from public.current_predictions order by game_number$$,
  $$values ('CP-1'::text, 0, 'cp-new'::text, 45), ('CP-2', -3, 'cp-new', 44)$$,
  'a game the active model did not score today shows its latest row by that model'
);

-- A game only a retired model scored is not shown.
delete from public.predictions p using public.games g
where g.id = p.game_id and g.game_number = 'CP-2' and p.model_version = 'cp-new';
select results_eq(
  $$select game_number from public.current_predictions order by game_number$$,
  $$values ('CP-1'::text)$$,
  'a game with rows of retired models only is not shown'
);

set local role anon;
select results_eq(
  $$select game_number, model_version, ai_score from public.current_predictions$$,
  $$values ('CP-1'::text, 'cp-new'::text, 45)$$,
  'anon reads current_predictions, one row per game'
);
reset role;
select ok(
  not has_table_privilege('anon', 'public.current_predictions', 'INSERT, UPDATE, DELETE, TRUNCATE'),
  'anon holds no write privilege on the view'
);

set local role authenticated;
select results_eq(
  $$select game_number, model_version from public.current_predictions$$,
  $$values ('CP-1'::text, 'cp-new'::text)$$,
  'a signed-in user reads current_predictions'
);
reset role;

select is(
  (select reloptions from pg_class where oid = 'public.current_predictions'::regclass),
  array['security_invoker=true'],
  'the view reads the tables with the reader''s rights (row level security applies)'
);

-- Without an active model the app sees no row rather than a retired model's.
update public.ml_models set is_active = false where version = 'cp-new';
select is_empty(
  $$select 1 from public.current_predictions$$,
  'with no active model, no row is shown'
);
select isnt_empty(
  $$select 1 from public.predictions p join public.games g on g.id = p.game_id
    where g.game_number = 'CP-1'$$,
  'while the rows stay in predictions'
);

select * from finish();
rollback;
