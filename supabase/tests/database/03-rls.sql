-- Row level security: the app's anon key reads games and predictions and writes nothing;
-- service_role writes; the model registry and run log are hidden from anon.
begin;
select plan(16);

insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('ZZ', 'RLS-1', 'RLS Test', 5, 3.5);
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select id, date '2026-11-27', 'rls', 40, 0.25, -1.6, 0.68, 0.6, 0.75, 70, 'avoid', 'About 68 cents per $1.'
from public.games where game_number = 'RLS-1';
insert into public.ml_models (version, storage_path, sha256, feature_names)
values ('rls', 'rls.onnx', repeat('c', 64), array['price']);
insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
select id, 1000, 20, 12 from public.games where game_number = 'RLS-1';
insert into public.historical_snapshots (game_id, snapshot_date, remaining_by_tier)
select id, date '2026-11-27', '{"1000": 12}'::jsonb from public.games where game_number = 'RLS-1';

set local role anon;
select isnt_empty(
  $$select 1 from public.predictions where model_version = 'rls'$$,
  'anon can read predictions'
);
select isnt_empty($$select 1 from public.games where game_number = 'RLS-1'$$, 'anon can read games');
select isnt_empty(
  $$select 1 from public.prize_tiers t join public.games g on g.id = t.game_id
    where g.game_number = 'RLS-1'$$,
  'anon can read prize tiers'
);
select isnt_empty(
  $$select 1 from public.historical_snapshots s join public.games g on g.id = s.game_id
    where g.game_number = 'RLS-1'$$,
  'anon can read snapshots'
);
select throws_ok(
  $$insert into public.predictions (game_id, prediction_date, model_version, ai_score,
      win_probability, expected_value, expected_return, expected_return_low, expected_return_high,
      confidence_level, recommendation, reasoning)
    select game_id, date '2026-11-28', 'rls', 40, 0.25, -1.6, 0.68, 0.6, 0.75, 70, 'avoid', 'x'
    from public.predictions where model_version = 'rls'$$,
  '42501', null, 'anon cannot insert predictions'
);
select is_empty(
  $$update public.predictions set ai_score = 99 where model_version = 'rls' returning 1$$,
  'anon cannot update predictions (no row is visible to update)'
);
select is_empty(
  $$delete from public.predictions where model_version = 'rls' returning 1$$,
  'anon cannot delete predictions (no row is visible to delete)'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RLS-2', 'Anon game', 5, 3.5)$$,
  '42501', null, 'anon cannot insert games'
);
select throws_ok($$select * from public.ml_models$$, '42501', null, 'anon cannot read ml_models');
select throws_ok($$select * from public.scoring_runs$$, '42501', null, 'anon cannot read scoring_runs');
reset role;

set local role authenticated;
select isnt_empty(
  $$select 1 from public.predictions where model_version = 'rls'$$,
  'a signed-in user can read predictions'
);
select throws_ok($$select * from public.ml_models$$, '42501', null, 'a signed-in user cannot read ml_models');
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RLS-3', 'User game', 5, 3.5)$$,
  '42501', null, 'a signed-in user cannot insert games'
);
reset role;

select is(
  (select ai_score from public.predictions where model_version = 'rls'),
  40,
  'the prediction anon tried to change is unchanged'
);

set local role service_role;
select lives_ok(
  $$update public.predictions set ai_score = 41 where model_version = 'rls'$$,
  'service_role can update predictions'
);
select lives_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RLS-3', 'Service game', 5, 3.5)$$,
  'service_role can insert games'
);
reset role;

select * from finish();
rollback;
