-- The schedule of the paced nightly and of the abandoned-run sweep (pg_cron runs in UTC, at
-- minute granularity: pg_cron 1.4 has no seconds):
--   score-games-nightly               08:00 UTC: opens tonight and sends its first requests
--                                     (private.start_nightly_scoring; was request_scoring,
--                                     which sent every state at once);
--   score-games-dispatch              every minute: captures answers, sends the night's next
--                                     requests and retries (private.dispatch_scoring; does
--                                     nothing outside a night's window);
--   score-games-sweep-abandoned-runs  every minute: closes runs nobody works on any more
--                                     (private.sweep_abandoned_runs).
-- score-games-capture-responses (every 5 minutes) and cron-job-run-details-cleanup (daily) stay
-- as they were. cron.schedule updates a job of the same name, so applying this file again
-- changes nothing and never duplicates a job.

select cron.schedule(
  'score-games-nightly',
  '0 8 * * *',
  $$select private.start_nightly_scoring()$$
);

select cron.schedule(
  'score-games-dispatch',
  '* * * * *',
  $$select private.dispatch_scoring()$$
);

select cron.schedule(
  'score-games-sweep-abandoned-runs',
  '* * * * *',
  $$select private.sweep_abandoned_runs()$$
);
