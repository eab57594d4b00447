-- Row level security: the app's anon key reads games and predictions and writes nothing;
-- service_role writes; of the model registry, anon sees only which version is active; the run
-- log is hidden from anon.
begin;
select plan(21);

insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('ZZ', 'RLS-1', 'RLS Test', 5, 3.5);
insert into public.predictions (
  game_id, prediction_date, model_version, ai_score, win_probability, expected_value,
  expected_return, expected_return_low, expected_return_high, confidence_level, recommendation,
  reasoning
)
select id, date '2026-11-27', 'rls', 40, 0.25, -1.6, 0.68, 0.6, 0.75, 70, 'avoid', 'About 68 cents per $1.'
from public.games where game_number = 'RLS-1';
-- Whatever model is active outside this transaction steps aside until the rollback.
update public.ml_models set is_active = false where is_active;
insert into public.ml_models (version, storage_path, sha256, feature_names, is_active)
values ('rls', 'rls.onnx', repeat('c', 64), array['price'], true),
  ('rls-retired', 'rls-retired.onnx', repeat('e', 64), array['price'], false);
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
  '42501',
  'permission denied for table predictions',
  'anon cannot insert predictions (no INSERT privilege, 20261203004100)'
);
select throws_ok(
  $$update public.predictions set ai_score = 99 where model_version = 'rls'$$,
  '42501',
  'permission denied for table predictions',
  'anon cannot update predictions'
);
select throws_ok(
  $$delete from public.predictions where model_version = 'rls'$$,
  '42501',
  'permission denied for table predictions',
  'anon cannot delete predictions'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RLS-2', 'Anon game', 5, 3.5)$$,
  '42501',
  'permission denied for table games',
  'anon cannot insert games'
);
select results_eq(
  $$select version, is_active from public.ml_models$$,
  $$values ('rls'::text, true)$$,
  'anon sees the active model''s version, and no other row of the registry'
);
select throws_ok(
  $$select * from public.ml_models$$,
  '42501',
  'permission denied for table ml_models',
  'anon cannot read the registry''s other columns'
);
select throws_ok(
  $$select storage_path, sha256 from public.ml_models$$,
  '42501',
  'permission denied for table ml_models',
  'anon cannot read where a model file is or its checksum'
);
select throws_ok(
  $$update public.ml_models set is_active = false$$,
  '42501',
  'permission denied for table ml_models',
  'anon cannot switch the active model'
);
select throws_ok(
  $$select * from public.scoring_runs$$,
  '42501',
  'permission denied for table scoring_runs',
  'anon cannot read scoring_runs'
);
reset role;

set local role authenticated;
select isnt_empty(
  $$select 1 from public.predictions where model_version = 'rls'$$,
  'a signed-in user can read predictions'
);
select throws_ok(
  $$select * from public.ml_models$$,
  '42501',
  'permission denied for table ml_models',
  'a signed-in user cannot read the registry''s other columns'
);
select results_eq(
  $$select version from public.ml_models$$,
  $$values ('rls'::text)$$,
  'a signed-in user sees the active model''s version only'
);
select throws_ok(
  $$insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
    values ('ZZ', 'RLS-3', 'User game', 5, 3.5)$$,
  '42501',
  'permission denied for table games',
  'a signed-in user cannot insert games'
);
reset role;

select is(
  (select ai_score from public.predictions where model_version = 'rls'),
  40,
  'the prediction anon tried to change is unchanged'
);
select is(
  (select count(*)::int from public.ml_models where version like 'rls%' and is_active),
  1,
  'the model anon tried to deactivate is still active'
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
