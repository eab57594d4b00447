-- Scratch games as published by each state lottery: one row per (state, game number).

create table public.games (
  id bigint generated always as identity primary key,
  state text not null check (state ~ '^[A-Z]{2}$'),
  game_number text not null check (btrim(game_number) <> ''),
  game_name text not null check (btrim(game_name) <> ''),
  ticket_price numeric(8, 2) not null check (ticket_price > 0),
  -- The published "1 in X" odds of winning any prize.
  overall_odds numeric(10, 4) not null check (overall_odds > 1),
  -- Not every lottery publishes it; the estimator derives it from tier odds x tier counts.
  tickets_printed bigint check (tickets_printed > 0),
  launch_date date,
  end_date date,
  is_active boolean not null default true,
  last_scraped_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (state, game_number),
  check (end_date is null or launch_date is null or end_date >= launch_date)
);
alter table public.games enable row level security;

comment on table public.games is 'Scratch games per state lottery, as published.';
comment on column public.games.overall_odds is 'The "1 in X" odds of winning any prize (X).';
comment on column public.games.tickets_printed is 'Tickets printed; NULL when not published.';

-- The scorer reads "active games of these states".
create index games_active_state_idx on public.games (state) where is_active;

create trigger games_set_updated_at
before update on public.games
for each row execute function private.set_updated_at();

create policy "Anyone can read games"
on public.games for select
to anon, authenticated
using (true);
