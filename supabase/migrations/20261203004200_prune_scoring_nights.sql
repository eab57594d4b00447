-- The daily cleanup (cron job cron-job-run-details-cleanup, 07:30 UTC) prunes the nights too:
-- private.scoring_nights gained a row per night (20261203001400) that nothing deleted. Nights
-- older than 60 days go (or older than `keep`, when a longer one is asked for), except the
-- latest, which scoring_health reads; pg_cron run details and scoring requests keep their 14
-- days as before. Same signature, so the scheduled call is unchanged.

create or replace function private.prune_scheduling_logs(keep interval default interval '14 days')
returns void
language sql
security definer
set search_path = ''
as $$
  delete from cron.job_run_details
  where coalesce(start_time, end_time) < now() - keep;

  delete from private.scoring_requests as old
  where old.requested_at < now() - keep
    and exists (
      select 1 from private.scoring_requests as newer
      where newer.state = old.state
        and (newer.requested_at, newer.id) > (old.requested_at, old.id)
    );

  delete from private.scoring_nights as old
  where old.started_at < now() - greatest(keep, interval '60 days')
    and exists (
      select 1 from private.scoring_nights as newer
      where newer.prediction_date > old.prediction_date
    );
$$;

revoke all on function private.prune_scheduling_logs(interval) from public, anon, authenticated;
grant execute on function private.prune_scheduling_logs(interval) to service_role;

comment on function private.prune_scheduling_logs(interval) is
  'Deletes pg_cron run details and scoring requests older than keep (each state''s latest request '
  'stays) and scoring nights older than 60 days or keep (the latest night stays).';
