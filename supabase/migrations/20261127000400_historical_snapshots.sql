-- Daily history of what each lottery published: one row per game per day.
--
-- The remaining counts of the published tiers are a validated jsonb object
-- ({"500": 12, "1000": 3}, keyed by the prize amount's shortest text) rather than a child table:
-- a day's counts are always written and read together, the scorer reads "the last 30 days of
-- these games" as whole rows, and it keeps 5,000 games x 90 days at 450k rows instead of ~5M.
-- The validator below keeps the shape honest; the tiers themselves live in prize_tiers.

create function private.is_tier_count_map(counts jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select jsonb_typeof(counts) = 'object'
    and not exists (
      select 1
      from jsonb_each(counts) as entry(prize_amount, remaining)
      where entry.prize_amount !~ '^[0-9]+(\.[0-9]{1,2})?$'
        or jsonb_typeof(entry.remaining) <> 'number'
        or (entry.remaining)::numeric < 0
        or (entry.remaining)::numeric <> trunc((entry.remaining)::numeric)
    )
$$;

create table public.historical_snapshots (
  id bigint generated always as identity primary key,
  game_id bigint not null references public.games (id) on delete cascade,
  snapshot_date date not null,
  remaining_by_tier jsonb not null default '{}'::jsonb
    check (private.is_tier_count_map(remaining_by_tier)),
  top_prizes_remaining integer check (top_prizes_remaining >= 0),
  created_at timestamptz not null default now(),
  -- Also the index for "last N days of these games": (game_id = any(...), snapshot_date >= ...).
  unique (game_id, snapshot_date)
);
alter table public.historical_snapshots enable row level security;

comment on column public.historical_snapshots.remaining_by_tier is
  'Remaining prizes per published tier that day, keyed by trim_scale(prize_amount)::text.';

create policy "Anyone can read historical snapshots"
on public.historical_snapshots for select
to anon, authenticated
using (true);
