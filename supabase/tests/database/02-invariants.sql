-- Every invariant of the data model rejects a bad row.
begin;
select plan(29);

insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('ZZ', 'T-1', 'Invariant Test', 5, 3.5);
insert into public.ml_models (version, storage_path, sha256, feature_names, is_active)
values ('test-a', 'test-a.onnx', repeat('a', 64), array['price'], false);

select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'T-2', 'Free', 0, 3.5)$$,
  '23514',
  'new row for relation "games" violates check constraint "games_ticket_price_check"',
  'a ticket price of 0 is rejected'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'T-3', 'Negative', -1, 3.5)$$,
  '23514',
  'new row for relation "games" violates check constraint "games_ticket_price_check"',
  'a negative ticket price is rejected'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'T-4', 'Sure thing', 5, 1)$$,
  '23514',
  'new row for relation "games" violates check constraint "games_overall_odds_check"',
  'overall odds of 1 in 1 are rejected'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('Minnesota', 'T-5', 'Bad state', 5, 3.5)$$,
  '23514',
  'new row for relation "games" violates check constraint "games_state_check"',
  'a state that is not a two-letter code is rejected'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'T-1', 'Duplicate', 5, 3.5)$$,
  '23505',
  'duplicate key value violates unique constraint "games_state_game_number_key"',
  'a duplicate (state, game_number) is rejected'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
    select id, 500, 10, 11 from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "prize_tiers" violates check constraint "prize_tiers_check"',
  'remaining prizes above total prizes are rejected'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
    select id, 500, 10, -1 from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "prize_tiers" violates check constraint "prize_tiers_check"',
  'negative remaining prizes are rejected'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes)
    select id, 0, 10 from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "prize_tiers" violates check constraint "prize_tiers_prize_amount_check"',
  'a prize amount of 0 is rejected'
);
select lives_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
    select id, 5, 1000, null from public.games where game_number = 'T-1'$$,
  'a tier whose remaining count is not published (NULL) is accepted'
);
select throws_ok(
  $$insert into public.historical_snapshots (game_id, snapshot_date, remaining_by_tier)
    select id, date '2026-11-01', '{"500": -3}' from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "historical_snapshots" violates check constraint "historical_snapshots_remaining_by_tier_check"',
  'a snapshot with a negative remaining count is rejected'
);
select throws_ok(
  $$insert into public.historical_snapshots (game_id, snapshot_date, remaining_by_tier)
    select id, date '2026-11-01', '{"five hundred": 3}' from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "historical_snapshots" violates check constraint "historical_snapshots_remaining_by_tier_check"',
  'a snapshot keyed by something other than a prize amount is rejected'
);

-- A prediction of game T-1 on 2026-11-28 as an insert statement: a valid row, some columns changed.
create function pg_temp.prediction_insert(changes jsonb) returns text
language sql
as $fn$
  select format(
    $sql$insert into public.predictions (game_id, prediction_date, model_version, ai_score,
      win_probability, expected_value, expected_return, expected_return_low, expected_return_high,
      confidence_level, recommendation, reasoning)
    select game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
      expected_return, expected_return_low, expected_return_high, confidence_level,
      recommendation, reasoning
    from jsonb_populate_record(null::public.predictions, %L)$sql$,
    jsonb_build_object(
      'game_id', (select id from public.games where game_number = 'T-1'),
      'prediction_date', '2026-11-28', 'model_version', 'test-a', 'ai_score', 40,
      'win_probability', 0.25, 'expected_value', -1.6, 'expected_return', 0.68,
      'expected_return_low', 0.6, 'expected_return_high', 0.75, 'confidence_level', 70,
      'recommendation', 'avoid', 'reasoning', 'Returns about 68 cents per $1.'
    ) || changes
  )
$fn$;

-- A valid prediction, then the bad ones.
select lives_ok(
  pg_temp.prediction_insert('{"prediction_date": "2026-11-27"}'),
  'a valid prediction is accepted'
);

select throws_ok(
  pg_temp.prediction_insert('{"ai_score": 101}'),
  '23514',
  'new row for relation "predictions" violates check constraint "predictions_ai_score_check"',
  'an ai_score of 101 is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"ai_score": 50, "recommendation": "moon"}'),
  '22P02',
  'invalid input value for enum recommendation: "moon"',
  'an unknown recommendation is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"prediction_date": "2026-11-27"}'),
  '23505',
  'duplicate key value violates unique constraint "predictions_game_id_prediction_date_model_version_key"',
  'a duplicate (game, prediction_date, model_version) is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"expected_return_low": 0.7}'),
  '23514',
  'new row for relation "predictions" violates check constraint "predictions_check"',
  'an interval that does not contain the expected return is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"reasoning": "   "}'),
  '23514',
  'new row for relation "predictions" violates check constraint "predictions_reasoning_check"',
  'blank reasoning is rejected'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'T-6', 'Not a number', 'NaN', 3.5)$$,
  '23514',
  'new row for relation "games" violates check constraint "games_ticket_price_is_a_number"',
  'a ticket price of NaN is rejected (NaN passes "> 0")'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes)
    select id, 'NaN', 10 from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "prize_tiers" violates check constraint "prize_tiers_prize_amount_is_a_number"',
  'a prize amount of NaN is rejected'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes)
    select id, 50, -1 from public.games where game_number = 'T-1'$$,
  '23514',
  'new row for relation "prize_tiers" violates check constraint "prize_tiers_total_prizes_check"',
  'a negative printed prize count is rejected'
);
select throws_ok(
  $$insert into public.prize_tiers (game_id, prize_amount, total_prizes)
    select id, amount, 10 from public.games, (values (25), (25)) as tier(amount)
    where game_number = 'T-1'$$,
  '23505',
  'duplicate key value violates unique constraint "prize_tiers_game_id_prize_amount_key"',
  'a duplicate (game, prize_amount) is rejected'
);
select throws_ok(
  $$insert into public.historical_snapshots (game_id, snapshot_date)
    select id, date '2026-11-01' from public.games, generate_series(1, 2)
    where game_number = 'T-1'$$,
  '23505',
  'duplicate key value violates unique constraint "historical_snapshots_game_id_snapshot_date_key"',
  'a duplicate (game, snapshot_date) is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"win_probability": 1.2}'),
  '23514',
  'new row for relation "predictions" violates check constraint "predictions_win_probability_check"',
  'a win probability above 1 is rejected'
);
select throws_ok(
  pg_temp.prediction_insert('{"confidence_level": 101}'),
  '23514',
  'new row for relation "predictions" violates check constraint "predictions_confidence_level_check"',
  'a confidence level above 100 is rejected'
);

-- A local_file model is an .onnx file inside the local model root (the function refuses any
-- other path too).
create function pg_temp.local_model_insert(version text, storage_path text) returns text
language sql
as $fn$
  select format(
    $sql$insert into public.ml_models (version, storage_kind, storage_path, sha256, feature_names)
    values (%L, 'local_file', %L, repeat('d', 64), array['price'])$sql$,
    version, storage_path
  )
$fn$;

select throws_ok(
  pg_temp.local_model_insert(bad.version, bad.storage_path),
  '23514',
  'new row for relation "ml_models" violates check constraint "ml_models_local_file_path_inside_root"',
  bad.description
)
from (values
  ('test-escape', '../../../../etc/passwd',
    'a local_file path that climbs out of the model root is rejected'),
  ('test-absolute', '/etc/model.onnx', 'an absolute local_file path is rejected'),
  ('test-inner-dots', 'model/../../x.onnx', 'a local_file path with a .. segment inside is rejected')
) as bad(version, storage_path, description);
select lives_ok(
  pg_temp.local_model_insert('test-local', '.local/test-models/x.onnx'),
  'a relative local_file path to an .onnx file is accepted'
);

-- Whatever model is active outside this transaction steps aside until the rollback.
update public.ml_models set is_active = false where is_active;
update public.ml_models set is_active = true where version = 'test-a';
select throws_ok(
  $$insert into public.ml_models (version, storage_path, sha256, feature_names, is_active)
    values ('test-b', 'test-b.onnx', repeat('b', 64), array['price'], true)$$,
  '23505',
  'duplicate key value violates unique constraint "ml_models_one_active_idx"',
  'a second active model is rejected'
);

select * from finish();
rollback;
