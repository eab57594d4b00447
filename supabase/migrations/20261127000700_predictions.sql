-- One prediction per game, day and model version: what the app shows.

create type public.recommendation as enum ('strong_buy', 'buy', 'neutral', 'avoid', 'strong_avoid');

create table public.predictions (
  id bigint generated always as identity primary key,
  game_id bigint not null references public.games (id) on delete cascade,
  prediction_date date not null,
  model_version text not null,
  ai_score integer not null check (ai_score between 0 and 100),
  win_probability double precision not null check (win_probability between 0 and 1),
  -- Expected prize value of one ticket bought that day minus its price, in dollars.
  expected_value numeric(12, 4) not null,
  -- Prize dollars per $1 spent, with the model's 80% interval.
  expected_return double precision not null check (expected_return >= 0),
  expected_return_low double precision not null check (expected_return_low >= 0),
  expected_return_high double precision not null,
  confidence_level integer not null check (confidence_level between 0 and 100),
  recommendation public.recommendation not null,
  reasoning text not null check (btrim(reasoning) <> ''),
  features jsonb not null default '{}'::jsonb check (jsonb_typeof(features) = 'object'),
  run_id uuid references public.scoring_runs (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (game_id, prediction_date, model_version),
  check (expected_return_low <= expected_return and expected_return <= expected_return_high)
);
alter table public.predictions enable row level security;

-- The app reads "today's predictions of a state, best first".
create index predictions_date_idx on public.predictions (prediction_date, ai_score desc);

create trigger predictions_set_updated_at
before update on public.predictions
for each row execute function private.set_updated_at();

create policy "Anyone can read predictions"
on public.predictions for select
to anon, authenticated
using (true);
