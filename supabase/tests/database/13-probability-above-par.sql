-- predictions.probability_above_par: a probability or nothing (rows written before it existed).
begin;
select plan(10);

select has_column('public', 'predictions', 'probability_above_par', 'the column exists');
select col_type_is(
  'public', 'predictions', 'probability_above_par', 'double precision', 'it is a float8'
);
select col_is_null(
  'public', 'predictions', 'probability_above_par',
  'it may be NULL: predictions written before it existed have none'
);

insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('ZZ', 'P-1', 'Above Par Test', 5, 3.5);
insert into public.ml_models (version, storage_path, sha256, feature_names)
values ('test-above-par', 'test.onnx', repeat('a', 64), array['price']);

-- A prediction of game P-1 with probability_above_par set to `probability` on `day`.
create function pg_temp.insert_with(probability double precision, day date) returns void
language sql
as $fn$
  insert into public.predictions (game_id, prediction_date, model_version, ai_score,
    win_probability, expected_value, expected_return, expected_return_low, expected_return_high,
    probability_above_par, confidence_level, recommendation, reasoning)
  select id, day, 'test-above-par', 40, 0.25, -1.6, 0.68, 0.6, 0.75, probability, 70, 'avoid',
    'Returns about 68 cents per $1.'
  from public.games where game_number = 'P-1'
$fn$;

select lives_ok(
  $$select pg_temp.insert_with(0.003, date '2026-12-01')$$, 'a small probability is accepted'
);
select lives_ok(
  $$select pg_temp.insert_with(0, date '2026-12-02'); select pg_temp.insert_with(1, date '2026-12-03')$$,
  'the bounds 0 and 1 are accepted'
);
select throws_ok(
  $$select pg_temp.insert_with(-0.01, date '2026-12-04')$$,
  '23514', null, 'a negative probability is rejected'
);
select throws_ok(
  $$select pg_temp.insert_with(1.5, date '2026-12-05')$$,
  '23514', null, 'a probability above 1 is rejected'
);
select throws_ok(
  $$select pg_temp.insert_with('NaN', date '2026-12-06')$$,
  '23514', null, 'NaN is rejected'
);
select lives_ok(
  $$select pg_temp.insert_with(null, date '2026-12-07')$$,
  'NULL (a prediction from before the column) is accepted'
);

select has_column(
  'public', 'current_predictions', 'probability_above_par', 'the app reads it in current_predictions'
);

select * from finish();
rollback;
