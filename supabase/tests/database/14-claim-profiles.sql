-- claim_profiles keeps its invariants, and private.claim_evidence() sums a hand-built state
-- exactly as claim-profile.ts documents: one game on sale (a shift point), one ended game listed
-- after its end (post-end sums).
begin;
select plan(13);

select has_table('public', 'claim_profiles', 'claim_profiles exists');
select policies_are(
  'public', 'claim_profiles', array['Anyone can read claim profiles'], 'claim_profiles policies'
);

-- A stored profile of state ZQ as an insert statement: a valid row, some columns changed.
create function pg_temp.profile_insert(changes jsonb) returns text
language sql
as $fn$
  select format(
    $sql$insert into public.claim_profiles (state, estimated_on, retailer_lag_days,
      office_lag_days, top_lag_days, retailer_never_claimed_share, classes, evidence)
    select state, estimated_on, retailer_lag_days, office_lag_days, top_lag_days,
      retailer_never_claimed_share, classes, evidence
    from jsonb_populate_record(null::public.claim_profiles, %L)$sql$,
    jsonb_build_object(
      'state', 'ZQ', 'estimated_on', '2026-06-30', 'retailer_lag_days', 4,
      'office_lag_days', 12, 'top_lag_days', 30, 'retailer_never_claimed_share', 0.03,
      'classes', '{"retailer": {}, "office": {}, "top": {}}'::jsonb, 'evidence', '{}'::jsonb
    ) || changes
  )
$fn$;

select lives_ok(pg_temp.profile_insert('{}'), 'a valid profile is accepted');
select throws_ok(
  pg_temp.profile_insert('{}'), '23505', null, 'a second profile of the same state and date is rejected'
);
select throws_ok(
  pg_temp.profile_insert('{"estimated_on": "2026-07-01", "state": "Zq"}'),
  '23514', null, 'a state that is not a two-letter code is rejected'
);
select throws_ok(
  pg_temp.profile_insert('{"estimated_on": "2026-07-02", "office_lag_days": 0}'),
  '23514', null, 'a lag of 0 days is rejected'
);
select throws_ok(
  pg_temp.profile_insert('{"estimated_on": "2026-07-03", "retailer_never_claimed_share": 1.2}'),
  '23514', null, 'a never-claimed share above 1 is rejected'
);
select throws_ok(
  pg_temp.profile_insert('{"estimated_on": "2026-07-04", "classes": {"retailer": {}}}'),
  '23514', null, 'classes without every prize class are rejected'
);

-- A hand-built state ZQ. Game ZQ-1, on sale, tiers $5 x 1000 (retail) and $1000 x 10 (office),
-- $50000 x 2 (top): snapshots on 2026-06-02 (28 days before) and on 2026-06-30.
insert into public.games (state, game_number, game_name, ticket_price, overall_odds, launch_date)
values ('ZQ', 'ZQ-1', 'On Sale', 5, 3.3, date '2026-01-01');
insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
select id, tier.amount, tier.printed, tier.remaining
from public.games, (values (5, 1000, 500), (1000, 10, 6), (50000, 2, 2)) as tier(amount, printed, remaining)
where game_number = 'ZQ-1';
insert into public.historical_snapshots (game_id, snapshot_date, remaining_by_tier)
select id, day, counts::jsonb
from public.games, (values
  (date '2026-06-02', '{"5": 640, "1000": 7, "50000": 2}'),
  (date '2026-06-30', '{"5": 500, "1000": 6, "50000": 2}')
) as snapshot(day, counts)
where game_number = 'ZQ-1';

-- Game ZQ-2 ended on 2026-05-01, listed until 2026-06-10: claims before, at and after its end.
insert into public.games (
  state, game_number, game_name, ticket_price, overall_odds, launch_date, end_date, is_active
)
values ('ZQ', 'ZQ-2', 'Ended', 5, 3.3, date '2025-09-01', date '2026-05-01', false);
insert into public.prize_tiers (game_id, prize_amount, total_prizes, remaining_prizes)
select id, tier.amount, tier.printed, tier.remaining
from public.games, (values (5, 1000, 100), (1000, 10, 1), (50000, 2, 0)) as tier(amount, printed, remaining)
where game_number = 'ZQ-2';
insert into public.historical_snapshots (game_id, snapshot_date, remaining_by_tier)
select id, day, counts::jsonb
from public.games, (values
  (date '2026-04-03', '{"5": 184, "1000": 3, "50000": 1}'),
  (date '2026-05-01', '{"5": 128, "1000": 2, "50000": 1}'),
  (date '2026-06-10', '{"5": 100, "1000": 1, "50000": 0}')
) as snapshot(day, counts)
where game_number = 'ZQ-2';

-- The shift point of ZQ-1 on 2026-06-30 (retail reference, office slower, weight 10):
-- x = 500/1000, r = (500 - 360)/1000/28 = 0.005, y = 4/10. ZQ-2 has no sample while on sale
-- (no snapshot within 6 days before any sample date).
-- Sums compared at 9 decimals (the products are float8).
create function pg_temp.rounded(sums jsonb) returns jsonb
language sql
as $fn$
  select jsonb_object_agg(key, round(value::text::numeric, 9)) from jsonb_each(sums)
$fn$;

select is(
  pg_temp.rounded(
    (select evidence -> 'shift' -> 'retailer:office'
     from private.claim_evidence(array['ZQ'], date '2026-06-30'))
  ),
  pg_temp.rounded(jsonb_build_object(
    'points', 1, 'games', 1, 'sw', 10, 'swx', 5, 'swr', 0.05, 'swy', 4,
    'swxx', 2.5, 'swxr', 0.025, 'swrr', 0.00025, 'swxy', 2, 'swry', 0.02, 'swyy', 1.6
  )),
  'the retail-office shift sums of the on-sale game'
);
select is(
  (select array_agg(pair order by pair)
   from private.claim_evidence(array['ZQ'], date '2026-06-30'),
     jsonb_object_keys(evidence -> 'shift') as pair),
  array['retailer:office', 'retailer:top'],
  'the retail reference pairs with both slower classes; office-top only without retail tiers'
);
-- ZQ-2, listed 40 days after its end (bucket 1: 28-55 days): retail claims 56 in the 28 days
-- before the end (2 a day) and 28 after; office 1 before and 1 after; top 0 before and 1 after.
select is(
  (select evidence -> 'postEnd' -> 'retailer' from private.claim_evidence(array['ZQ'], date '2026-06-30')),
  '[{"bucket": 1, "games": 1, "claimsPerDay": 2, "claimsPerDayTimesDays": 80, "lateClaims": 28}]'::jsonb,
  'the retail post-end sums of the ended game'
);
select is(
  (select evidence -> 'postEnd' -> 'top' -> 0 -> 'lateClaims' from private.claim_evidence(array['ZQ'], date '2026-06-30')),
  '1'::jsonb,
  'the top prize claimed after the end counts'
);
select is(
  (select evidence from private.claim_evidence(array['ZQ'], date '2026-05-20')),
  '{"shift": {}, "postEnd": {}}'::jsonb,
  'as of an earlier date, only what was published by then: nothing usable yet'
);

select * from finish();
rollback;
