-- current_predictions (20261203004000): per active game on sale today, the active model's latest
-- row up to today, found by one index probe per game; rows of models that are not active are
-- ignored even when they are newer; games whose last day on sale is before today are not shown.
begin;
select plan(7);

-- Only this file's games and models count here; the rest steps aside until the rollback.
update public.games set is_active = false where is_active;
update public.ml_models set is_active = false where is_active;

insert into public.ml_models (version, storage_path, sha256, feature_names, is_active)
values ('lr-active', 'lr-active.onnx', repeat('a', 64), array['price'], true),
  ('lr-other', 'lr-other.onnx', repeat('b', 64), array['price'], false);

create temporary table today on commit drop as
select (now() at time zone 'America/Chicago')::date as d;

insert into public.games (state, game_number, game_name, ticket_price, overall_odds, is_active,
  end_date)
select 'LR', game_number, game_name, 5, 3.5, is_active, today.d + end_offset
from today cross join (values
  ('LR-1', 'On sale', true, null::integer),
  ('LR-2', 'Ended yesterday', true, -1),
  ('LR-3', 'Ends today', true, 0),
  ('LR-4', 'Inactive', false, null)
) as game(game_number, game_name, is_active, end_offset);

-- (game, model, day offset from today, ai_score): LR-1's active-model rows are 5 and 2 days old
-- (and tomorrow's), the other model's newer (yesterday and today); the other games have a row
-- of the active model today or yesterday.
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select game.id, today.d + row.day_offset, row.model_version, row.ai_score, 0.25, -1.5,
  0.7, 0.6, 0.8, 60, 'avoid', 'About 70 cents per $1.'
from today
cross join (values
  ('LR-1', 'lr-active', -5, 11),
  ('LR-1', 'lr-active', -2, 12),
  ('LR-1', 'lr-active', 1, 13),
  ('LR-1', 'lr-other', -1, 21),
  ('LR-1', 'lr-other', 0, 22),
  ('LR-2', 'lr-active', -1, 31),
  ('LR-3', 'lr-active', 0, 41),
  ('LR-4', 'lr-active', 0, 51)
) as row(game_number, model_version, day_offset, ai_score)
join public.games as game on game.game_number = row.game_number and game.state = 'LR';

select results_eq(
  $$select game_number, prediction_date - (select d from today), model_version, ai_score
    from public.current_predictions order by game_number$$,
  $$values ('LR-1'::text, -2, 'lr-active'::text, 12), ('LR-3', 0, 'lr-active', 41)$$,
  'the active model''s latest row up to today per game on sale, not a newer row of another model'
);

select is_empty(
  $$select 1 from public.current_predictions where game_number = 'LR-2'$$,
  'a game whose last day on sale was yesterday is not shown, though still active'
);

-- Switching models switches every row, and a game the new model never scored disappears.
update public.ml_models set is_active = false where version = 'lr-active';
update public.ml_models set is_active = true where version = 'lr-other';
select results_eq(
  $$select game_number, prediction_date - (select d from today), model_version, ai_score
    from public.current_predictions order by game_number$$,
  $$values ('LR-1'::text, 0, 'lr-other'::text, 22)$$,
  'after a switch: the newly active model''s latest row, and only games it scored'
);

select is(
  (select reloptions from pg_class where oid = 'public.current_predictions'::regclass),
  array['security_invoker=true'],
  'still security_invoker'
);
select is(
  (select array_agg(attname::text order by attnum) from pg_attribute
   where attrelid = 'public.current_predictions'::regclass and attnum > 0),
  array['game_id', 'state', 'game_number', 'game_name', 'ticket_price', 'prediction_date',
    'model_version', 'ai_score', 'recommendation', 'expected_return', 'expected_return_low',
    'expected_return_high', 'expected_value', 'win_probability', 'confidence_level', 'reasoning',
    'scored_at', 'probability_above_par'],
  'the same columns in the same order, probability_above_par included'
);

-- The plan: a history of 100 days of three models for these games and 150 more (no longer on
-- sale), and each game's row is one index probe keyed on the game (no scan of predictions, nor a
-- walk back through every game's rows by date).
insert into public.games (state, game_number, game_name, ticket_price, overall_odds, is_active)
select 'LR', 'LR-F' || n, 'Filler ' || n, 5, 3.5, false
from generate_series(1, 150) as n;
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select game.id, today.d - 10 - day, model.version, 40, 0.25, -1.5, 0.7, 0.6, 0.8, 60, 'avoid',
  'Older.'
from today
cross join generate_series(0, 99) as day
cross join public.games as game
cross join (values ('lr-active'), ('lr-other'), ('lr-third')) as model(version)
where game.state = 'LR';
analyze public.games;
analyze public.ml_models;
analyze public.predictions;

create function pg_temp.plan_of(query text) returns text language plpgsql as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain (costs off) ' || query loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end
$$;

-- (The planner may probe predictions_game_model_date_idx or the unique index on game, date and
-- model: either way one probe per game, bounded by that game's rows.)
select matches(
  pg_temp.plan_of('select * from public.current_predictions'),
  'Index (Only )?Scan (Backward )?using \S+ on predictions latest\s+Index Cond: \(\(game_id = game\.id\)',
  'each game''s row comes from an index probe keyed on that game'
);
select doesnt_match(
  pg_temp.plan_of('select * from public.current_predictions'),
  'Seq Scan on predictions|using predictions_date_idx',
  'predictions is never scanned whole, nor walked back by date'
);

select * from finish();
rollback;
