-- Claim profiles: how long each state's winners take to claim, by prize class, and how many
-- prizes are never claimed, estimated from what the state publishes and stored with the date
-- they were estimated. private.claim_evidence() gathers, set-based, the sums the estimator needs
-- (scripts/market-sim/claim-evidence.ts computes the same sums on simulated states; an
-- integration test holds the two equal); score-games estimates the profile from them
-- (_shared/scoring/claim-profile.ts, the one estimator of training and serving) once a state's
-- stored profile is a week old, and reads the stored one otherwise.

create table public.claim_profiles (
  id bigint generated always as identity primary key,
  state text not null check (state ~ '^[A-Z]{2}$'),
  -- The profile uses what was published up to this date.
  estimated_on date not null,
  -- Mean days from a winning ticket's sale to its published claim, by class.
  retailer_lag_days double precision not null check (retailer_lag_days > 0),
  office_lag_days double precision not null check (office_lag_days > 0),
  top_lag_days double precision not null check (top_lag_days > 0),
  retailer_never_claimed_share double precision not null
    check (retailer_never_claimed_share between 0 and 1),
  -- Every class's estimate with its uncertainty and the games behind it (ClaimProfile.classes).
  classes jsonb not null check (jsonb_typeof(classes) = 'object'),
  -- The sums it was estimated from (ClaimEvidence, without state and date).
  evidence jsonb not null check (jsonb_typeof(evidence) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (state, estimated_on),
  check (classes ?& array['retailer', 'office', 'top'])
);
alter table public.claim_profiles enable row level security;

comment on table public.claim_profiles is
  'Per-state claim lags and never-claimed shares, estimated from published counts (score-games).';

create trigger claim_profiles_set_updated_at
before update on public.claim_profiles
for each row execute function private.set_updated_at();

create policy "Anyone can read claim profiles"
on public.claim_profiles for select
to anon, authenticated
using (true);

-- The claim evidence of each state as of p_as_of, from what was published up to that date:
-- one row per state with games, its evidence as the estimator reads it:
-- {"shift": {"retailer:office": {points, games, sw, swx, ...}, ...},
--  "postEnd": {"retailer": [{bucket, games, claimsPerDay, claimsPerDayTimesDays, lateClaims}]}}.
-- Constants: samples every 14 days over 364 days, rises over 28 days, snapshots at most 6 days
-- old, post-end after at least 14 days (claim-profile.ts names them).
create function private.claim_evidence(p_states text[], p_as_of date)
returns table (state text, evidence jsonb)
language sql
stable
set search_path = ''
as $$
  with
  -- Games of the states with something published by the as-of date. A game counts as ended
  -- once its end date is before the as-of date.
  evidence_games as (
    select g.id, g.state, g.launch_date, first_snapshot.snapshot_date as first_snapshot_date,
      case when g.end_date < p_as_of then g.end_date end as ended_on
    from public.games as g
    cross join lateral (
      select hs.snapshot_date from public.historical_snapshots as hs
      where hs.game_id = g.id
      order by hs.snapshot_date
      limit 1
    ) as first_snapshot
    where g.state = any(p_states) and first_snapshot.snapshot_date <= p_as_of
  ),
  -- Published tiers by class: up to $600 retailer, else the game's top prize or office.
  published_tiers as (
    select tier.game_id, tier.tier_key, tier.total_prizes,
      case
        when tier.prize_amount <= 600 then 'retailer'
        when tier.prize_amount = tier.top_amount then 'top'
        else 'office'
      end as prize_class
    from (
      select pt.game_id, trim_scale(pt.prize_amount)::text as tier_key, pt.total_prizes,
        pt.prize_amount, pt.remaining_prizes,
        max(pt.prize_amount) over (partition by pt.game_id) as top_amount
      from public.prize_tiers as pt
      join evidence_games as g on g.id = pt.game_id
    ) as tier
    where tier.remaining_prizes is not null
  ),
  classes as (
    select game_id, prize_class, array_agg(tier_key order by tier_key) as keys,
      sum(total_prizes)::float8 as printed
    from published_tiers
    group by game_id, prize_class
  ),
  game_keys as (
    select game_id, array_agg(tier_key) as keys
    from published_tiers
    group by game_id
  ),
  -- The games' reference class for the shift: their fastest published class.
  reference_classes as (
    select distinct on (game_id) game_id, prize_class
    from classes
    where prize_class in ('retailer', 'office')
    order by game_id, prize_class = 'retailer' desc
  ),
  -- Sample dates of each game: the as-of date and every 14 days before it, within 364 days,
  -- while on sale and at least 28 days after launch (and after its first snapshot: before
  -- that, the rise over 28 days cannot be read).
  samples as (
    select g.id as game_id, g.state, (p_as_of - step * 14) as sample_date
    from evidence_games as g
    cross join generate_series(0, 26) as step
    where g.launch_date is not null
      and p_as_of - step * 14 <= coalesce(g.ended_on, p_as_of)
      and p_as_of - step * 14 - 28 >= g.launch_date
      and p_as_of - step * 14 - 28 >= g.first_snapshot_date
  ),
  -- The snapshots each sample reads: the latest at most 6 days older than the date (and than
  -- the date 28 days before), with every published tier in it, published by the as-of date.
  sample_snapshots as (
    select s.game_id, s.state, s.sample_date,
      now_snapshot.remaining_by_tier as now_counts,
      before_snapshot.remaining_by_tier as before_counts
    from samples as s
    join game_keys as k on k.game_id = s.game_id
    left join lateral (
      select hs.remaining_by_tier
      from public.historical_snapshots as hs
      where hs.game_id = s.game_id
        and hs.snapshot_date between s.sample_date - 6 and s.sample_date
        and hs.remaining_by_tier ?& k.keys
      order by hs.snapshot_date desc
      limit 1
    ) as now_snapshot on true
    left join lateral (
      select hs.remaining_by_tier
      from public.historical_snapshots as hs
      where hs.game_id = s.game_id
        and hs.snapshot_date between s.sample_date - 28 - 6 and s.sample_date - 28
        and hs.remaining_by_tier ?& k.keys
      order by hs.snapshot_date desc
      limit 1
    ) as before_snapshot on true
  ),
  -- Claimed count of every published class on each sample date (null without a snapshot).
  sample_claims as materialized (
    select ss.game_id, ss.state, ss.sample_date, c.prize_class, c.printed,
      c.printed - (select sum((ss.now_counts ->> key)::float8) from unnest(c.keys) as key)
        as claimed_now,
      c.printed - (select sum((ss.before_counts ->> key)::float8) from unnest(c.keys) as key)
        as claimed_before
    from sample_snapshots as ss
    join classes as c on c.game_id = ss.game_id
  ),
  -- Shift points: x and r of the reference class, y and the weight of a slower class.
  shift_points as (
    select reference.state, reference.game_id, r.prize_class as reference_class,
      slower.prize_class as slower_class,
      reference.claimed_now / reference.printed as x,
      (reference.claimed_now - reference.claimed_before) / reference.printed / 28 as r,
      slower.claimed_now / slower.printed as y,
      slower.printed as w
    from sample_claims as reference
    join reference_classes as r
      on r.game_id = reference.game_id and r.prize_class = reference.prize_class
    join sample_claims as slower
      on slower.game_id = reference.game_id and slower.sample_date = reference.sample_date
      and slower.prize_class in ('office', 'top') and slower.prize_class <> r.prize_class
    where reference.claimed_now is not null and reference.claimed_before is not null
      and slower.claimed_now is not null
  ),
  shift_sums as (
    select state, reference_class || ':' || slower_class as pair,
      jsonb_build_object(
        'points', count(*), 'games', count(distinct game_id),
        'sw', sum(w), 'swx', sum(w * x), 'swr', sum(w * r), 'swy', sum(w * y),
        'swxx', sum(w * x * x), 'swxr', sum(w * x * r), 'swrr', sum(w * r * r),
        'swxy', sum(w * x * y), 'swry', sum(w * r * y), 'swyy', sum(w * y * y)
      ) as sums
    from shift_points
    group by state, reference_class, slower_class
  ),
  -- Ended games listed at least 14 days after their end (within the lookback): the claims
  -- before the end, at the end and at the last listing.
  ended as (
    select g.id as game_id, g.state, g.ended_on, last_listed.snapshot_date as listed_until
    from evidence_games as g
    join game_keys as k on k.game_id = g.id
    cross join lateral (
      select hs.snapshot_date
      from public.historical_snapshots as hs
      where hs.game_id = g.id and hs.snapshot_date <= p_as_of
        and hs.snapshot_date > g.ended_on
        and hs.remaining_by_tier ?& k.keys
      order by hs.snapshot_date desc
      limit 1
    ) as last_listed
    where g.ended_on <= p_as_of - 14 and g.ended_on >= p_as_of - 364
      and last_listed.snapshot_date - g.ended_on >= 14
  ),
  ended_snapshots as (
    select e.state, e.game_id, e.listed_until - e.ended_on as days_after,
      (
        select hs.remaining_by_tier from public.historical_snapshots as hs
        where hs.game_id = e.game_id and hs.snapshot_date between e.ended_on - 6 and e.ended_on
          and hs.remaining_by_tier ?& k.keys
        order by hs.snapshot_date desc limit 1
      ) as end_counts,
      (
        select hs.remaining_by_tier from public.historical_snapshots as hs
        where hs.game_id = e.game_id
          and hs.snapshot_date between e.ended_on - 28 - 6 and e.ended_on - 28
          and hs.remaining_by_tier ?& k.keys
        order by hs.snapshot_date desc limit 1
      ) as before_counts,
      (
        select hs.remaining_by_tier from public.historical_snapshots as hs
        where hs.game_id = e.game_id and hs.snapshot_date = e.listed_until
      ) as after_counts
    from ended as e
    join game_keys as k on k.game_id = e.game_id
  ),
  ended_claims as (
    select es.state, es.game_id, c.prize_class, c.printed, es.days_after,
      c.printed - (select sum((es.end_counts ->> key)::float8) from unnest(c.keys) as key)
        as claimed_at_end,
      c.printed - (select sum((es.before_counts ->> key)::float8) from unnest(c.keys) as key)
        as claimed_before,
      c.printed - (select sum((es.after_counts ->> key)::float8) from unnest(c.keys) as key)
        as claimed_after
    from ended_snapshots as es
    join classes as c on c.game_id = es.game_id
  ),
  post_end_points as (
    select state, prize_class, days_after,
      (claimed_at_end - claimed_before) / 28 as claims_per_day,
      claimed_after - claimed_at_end as late_claims,
      -- Buckets by days listed after the end: 14, 28, 56, 112, 224 and more.
      case
        when days_after >= 224 then 4 when days_after >= 112 then 3 when days_after >= 56 then 2
        when days_after >= 28 then 1 else 0
      end as bucket
    from ended_claims
    where claimed_at_end is not null and claimed_before is not null
      and claimed_after is not null and printed - claimed_at_end > 0
  ),
  post_end_sums as (
    select state, prize_class,
      jsonb_agg(
        jsonb_build_object(
          'bucket', bucket, 'games', games, 'claimsPerDay', claims_per_day,
          'claimsPerDayTimesDays', claims_per_day_times_days, 'lateClaims', late_claims
        ) order by bucket
      ) as buckets
    from (
      select state, prize_class, bucket, count(*) as games,
        sum(claims_per_day) as claims_per_day,
        sum(claims_per_day * days_after) as claims_per_day_times_days,
        sum(late_claims) as late_claims
      from post_end_points
      group by state, prize_class, bucket
    ) as by_bucket
    group by state, prize_class
  ),
  states as (
    select distinct g.state from evidence_games as g
  ),
  -- Joined, not looked up per state: a correlated lookup of these makes Postgres re-plan the
  -- sums for one state's parameter, with nested loops over every sample (minutes at 5,000 games).
  shift_by_state as materialized (
    select state, jsonb_object_agg(pair, sums) as shift
    from shift_sums
    group by state
  ),
  post_end_by_state as materialized (
    select state, jsonb_object_agg(prize_class, buckets) as post_end
    from post_end_sums
    group by state
  )
  select s.state,
    jsonb_build_object(
      'shift', coalesce(shift_by_state.shift, '{}'::jsonb),
      'postEnd', coalesce(post_end_by_state.post_end, '{}'::jsonb)
    )
  from states as s
  left join shift_by_state on shift_by_state.state = s.state
  left join post_end_by_state on post_end_by_state.state = s.state
$$;

revoke all on function private.claim_evidence(text[], date) from public;
