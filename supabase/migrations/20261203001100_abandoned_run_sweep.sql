-- Runs hold a lease. While the function works on a run it renews `lease_expires_at`; it clears it
-- when it closes the row. A run still `running` once its lease has expired, or started before the
-- database's last start (its connections died with the server), has nobody working on it any
-- more: private.sweep_abandoned_runs() closes it as 'abandoned', whatever its scope, so no state
-- stays stuck behind a dead run (before, only a later run of the exact same scope closed it). A
-- pg_cron job runs the sweep every minute (scheduled in 20261203001600_paced_nightly_schedule),
-- and admitting a new run sweeps first (see private.start_scoring_run).

alter table public.scoring_runs add column lease_expires_at timestamptz;

comment on column public.scoring_runs.lease_expires_at is
  'While running: the run counts as abandoned unless its function renews this by then. NULL once closed.';

-- Rows running when this lands (written by a function without leases) get ten minutes.
update public.scoring_runs
set lease_expires_at = now() + interval '10 minutes'
where status = 'running';

-- "The running runs": the sweep, and the overlap check when a run is admitted.
create index scoring_runs_running_idx on public.scoring_runs (prediction_date)
where status = 'running';

create function private.sweep_abandoned_runs()
returns integer
language sql
security definer
set search_path = ''
as $$
  with abandoned as (
    select run.id, run.started_at < pg_postmaster_start_time() as before_restart
    from public.scoring_runs as run
    where run.status = 'running'
      and (
        run.started_at < pg_postmaster_start_time()
        -- A row without a lease (written directly, or by an older function) gets ten minutes.
        or coalesce(run.lease_expires_at, run.started_at + interval '10 minutes') < now()
      )
    -- A row locked right now is being closed (or written with) by its function: not abandoned.
    for update skip locked
  ),
  closed as (
    update public.scoring_runs as run
    set status = 'abandoned',
      finished_at = now(),
      lease_expires_at = null,
      error = case
        when abandoned.before_restart then
          'Abandoned: the database restarted during the run, which lost its connections'
        else
          'Abandoned: its function stopped renewing the run''s lease (it was stopped, ran out '
            || 'of time or memory, or lost the database)'
      end
    from abandoned
    where run.id = abandoned.id
    returning run.id
  )
  select count(*)::integer from closed
$$;

revoke all on function private.sweep_abandoned_runs() from public, anon, authenticated;
grant execute on function private.sweep_abandoned_runs() to service_role;

comment on function private.sweep_abandoned_runs() is
  'Closes as abandoned every running run whose lease expired or that started before the database last started; returns how many.';
