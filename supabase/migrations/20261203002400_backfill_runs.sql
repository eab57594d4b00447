-- Runs that rescore past days (`npm run backtest -- --write`, or a request with
-- "trigger": "backfill") are recorded as their own kind, apart from the nightly and on-demand runs.

alter type public.scoring_trigger add value if not exists 'backfill';
