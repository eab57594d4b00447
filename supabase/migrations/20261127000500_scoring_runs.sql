-- One row per invocation of the scorer: what it was asked, what it did, how long each phase took.

create type public.scoring_trigger as enum ('cron', 'http', 'cli');
create type public.scoring_status as enum ('running', 'succeeded', 'partial', 'failed');

create table public.scoring_runs (
  id uuid primary key default gen_random_uuid(),
  trigger public.scoring_trigger not null,
  -- {"states": ["MN"], "game_ids": [1, 2]}; absent keys mean "all".
  scope jsonb not null default '{}'::jsonb check (jsonb_typeof(scope) = 'object'),
  prediction_date date,
  status public.scoring_status not null default 'running',
  model_version text,
  scored_count integer not null default 0 check (scored_count >= 0),
  skipped_count integer not null default 0 check (skipped_count >= 0),
  -- [{"game_id": 7, "reason": "no_tiers", "message": "..."}]
  skipped_reasons jsonb not null default '[]'::jsonb check (jsonb_typeof(skipped_reasons) = 'array'),
  error text,
  -- {"read": 12.3, "features": 4.5, "inference": 8.1, "write": 30.2, "total": 60.0}
  timings_ms jsonb not null default '{}'::jsonb check (jsonb_typeof(timings_ms) = 'object'),
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  check ((status = 'running') = (finished_at is null))
);
alter table public.scoring_runs enable row level security;
revoke all on public.scoring_runs from anon, authenticated;

create index scoring_runs_started_at_idx on public.scoring_runs (started_at desc);

-- No policy for anon or authenticated: only service_role (which bypasses RLS) and the owner.
comment on table public.scoring_runs is 'Scorer invocations; service_role only.';
