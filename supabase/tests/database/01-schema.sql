-- The data model exists as the migrations define it, with row level security on every table.
begin;
select plan(15);

select has_table('public', 'games', 'games exists');
select has_table('public', 'prize_tiers', 'prize_tiers exists');
select has_table('public', 'historical_snapshots', 'historical_snapshots exists');
select has_table('public', 'predictions', 'predictions exists');
select has_table('public', 'scoring_runs', 'scoring_runs exists');
select has_table('public', 'ml_models', 'ml_models exists');
select has_view('public', 'current_predictions', 'current_predictions exists');

select is(
  (select count(*)::int from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity),
  0,
  'every table in public has row level security enabled'
);

select enum_has_labels(
  'public', 'recommendation', array['strong_buy', 'buy', 'neutral', 'avoid', 'strong_avoid'],
  'recommendation has the five labels'
);
select enum_has_labels(
  'public', 'scoring_trigger', array['cron', 'http', 'cli', 'backfill'], 'run triggers'
);
select enum_has_labels(
  'public', 'scoring_status', array['running', 'succeeded', 'partial', 'failed', 'abandoned'], 'run statuses'
);

select policies_are('public', 'predictions', array['Anyone can read predictions'], 'predictions policies');
select policies_are(
  'public', 'ml_models', array['Anyone can see which model is active'],
  'ml_models: the API roles see the active row only (and only its version, by column grants)'
);

select is(
  (select public from storage.buckets where id = 'models'),
  false,
  'the models bucket exists and is private'
);

select ok(
  (select count(*) from public.games where is_active) >= 20,
  'the seed has at least 20 active games'
);

select * from finish();
rollback;
