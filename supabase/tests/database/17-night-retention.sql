-- The daily cleanup (private.prune_scheduling_logs, scheduled as 06-log-retention.sql checks)
-- prunes private.scoring_nights too (20261203004200): nights started more than 60 days ago go,
-- the latest night stays however old. Rolled back.
begin;
select plan(3);

delete from private.scoring_nights;
insert into private.scoring_nights (
  prediction_date, started_at, max_in_flight, max_attempts, timeout_milliseconds, dispatch_until
)
select date '2026-06-01' + offset_days, started_at, 8, 5, 120000, started_at + interval '4 hours'
from (values
  (0, now() - interval '200 days'),
  (1, now() - interval '61 days'),
  (2, now() - interval '59 days'),
  (3, now() - interval '20 days')
) as night(offset_days, started_at);

select private.prune_scheduling_logs();
select results_eq(
  $$select prediction_date - date '2026-06-01' from private.scoring_nights order by 1$$,
  $$values (2), (3)$$,
  'nights started more than 60 days ago go; those within 60 days stay'
);

-- When no night is newer, the latest stays however old.
delete from private.scoring_nights where prediction_date > date '2026-06-03';
update private.scoring_nights set started_at = now() - interval '300 days';
select private.prune_scheduling_logs();
select results_eq(
  $$select prediction_date - date '2026-06-01' from private.scoring_nights$$,
  $$values (2)$$,
  'the latest night stays, however old (scoring_health reads it)'
);

-- A longer keep keeps longer.
insert into private.scoring_nights (
  prediction_date, started_at, max_in_flight, max_attempts, timeout_milliseconds, dispatch_until
)
values (date '2026-09-01', now() - interval '1 day', 8, 5, 120000, now());
select private.prune_scheduling_logs(interval '400 days');
select is(
  (select count(*)::int from private.scoring_nights),
  2,
  'with keep 400 days, a night of 300 days ago stays'
);

select * from finish();
rollback;
