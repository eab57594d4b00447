-- Retention of the scheduling logs: 14 days, as for pg_cron's run details.
--   private.prune_scheduling_logs() deletes cron.job_run_details that started more than 14 days
--   ago (by start_time: a run interrupted before it finished has no end_time and was kept forever
--   by the first cleanup), and the private.scoring_requests older than 14 days except each state's
--   latest one, which scoring_health reports.
--   The daily cron-job-run-details-cleanup job now calls it (cron.schedule updates the job of that
--   name, so applying this file again changes nothing).

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
$$;

revoke all on function private.prune_scheduling_logs(interval) from public, anon, authenticated;
grant execute on function private.prune_scheduling_logs(interval) to service_role;

comment on function private.prune_scheduling_logs(interval) is
  'Deletes pg_cron run details and scoring requests older than keep (each state''s latest request stays).';

select cron.schedule(
  'cron-job-run-details-cleanup',
  '30 7 * * *',
  $$select private.prune_scheduling_logs()$$
);
