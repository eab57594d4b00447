-- Prize tiers of each game: printed counts and, where the lottery publishes them, remaining counts.

create table public.prize_tiers (
  id bigint generated always as identity primary key,
  game_id bigint not null references public.games (id) on delete cascade,
  prize_amount numeric(12, 2) not null check (prize_amount > 0),
  -- The "1 in X" odds of this tier (X); not always published.
  odds numeric(14, 2) check (odds >= 1),
  total_prizes integer not null check (total_prizes >= 0),
  -- NULL means "not published" (Minnesota publishes remaining counts only for tiers >= $500).
  remaining_prizes integer check (remaining_prizes >= 0 and remaining_prizes <= total_prizes),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (game_id, prize_amount)
);
alter table public.prize_tiers enable row level security;

comment on column public.prize_tiers.remaining_prizes is
  'Prizes not yet claimed; NULL when the lottery does not publish this tier.';

create trigger prize_tiers_set_updated_at
before update on public.prize_tiers
for each row execute function private.set_updated_at();

create policy "Anyone can read prize tiers"
on public.prize_tiers for select
to anon, authenticated
using (true);
