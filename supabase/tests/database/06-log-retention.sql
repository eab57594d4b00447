-- private.prune_scheduling_logs keeps 14 days of pg_cron run details (also those of a run that
-- never finished) and of scoring requests, except each state's latest request. Rolled back.
begin;
select plan(7);

select is_definer('private', 'prune_scheduling_logs', array['interval'], 'prune_scheduling_logs is security definer');
select function_privs_are('private', 'prune_scheduling_logs', array['interval'], 'anon', array[]::text[], 'anon cannot prune');
select function_privs_are('private', 'prune_scheduling_logs', array['interval'], 'service_role', array['EXECUTE'], 'service_role can prune');

insert into cron.job_run_details (jobid, runid, job_pid, database, username, command, status, start_time, end_time)
values
  (990001, 990000001, 1, current_database(), 'postgres', 'old, finished', 'succeeded', now() - interval '20 days', now() - interval '20 days'),
  (990001, 990000002, 2, current_database(), 'postgres', 'old, never finished', 'running', now() - interval '20 days', null),
  (990001, 990000003, 3, current_database(), 'postgres', 'recent', 'succeeded', now() - interval '2 days', now() - interval '2 days');

insert into private.scoring_requests (net_request_id, state, requested_at, timeout_milliseconds)
values
  (990000101, 'RA', now() - interval '30 days', 120000),
  (990000102, 'RA', now() - interval '20 days', 120000),
  (990000103, 'RA', now() - interval '1 day', 120000),
  (990000104, 'RB', now() - interval '40 days', 120000),
  (990000105, 'RB', now() - interval '30 days', 120000);

select private.prune_scheduling_logs();

select results_eq(
  $$select command from cron.job_run_details where jobid = 990001 order by runid$$,
  $$values ('recent'::text)$$,
  'run details older than 14 days go, finished or not'
);
select results_eq(
  $$select net_request_id from private.scoring_requests where state = 'RA' order by requested_at$$,
  $$values (990000103::bigint)$$,
  'requests older than 14 days go'
);
select results_eq(
  $$select net_request_id from private.scoring_requests where state = 'RB' order by requested_at$$,
  $$values (990000105::bigint)$$,
  'a state''s latest request stays, however old'
);
select is(
  (select command from cron.job where jobname = 'cron-job-run-details-cleanup'),
  'select private.prune_scheduling_logs()',
  'the daily cleanup job calls it'
);

select * from finish();
rollback;
