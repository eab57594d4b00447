-- The nightly schedule (pg_cron runs in UTC):
--   score-games-nightly            08:00 UTC (02:00 CST / 03:00 CDT): one score-games request per
--                                  state with active games (private.request_scoring);
--   score-games-capture-responses  every 5 minutes: copies pg_net's outcomes before its 6-hour
--                                  cleanup and marks requests that never got an answer;
--   cron-job-run-details-cleanup   daily: deletes cron.job_run_details older than 14 days, which
--                                  otherwise grows forever.
-- cron.schedule updates a job of the same name (pg_cron >= 1.3), so applying this file again
-- changes nothing and never duplicates a job.

select cron.schedule(
  'score-games-nightly',
  '0 8 * * *',
  $$select private.request_scoring()$$
);

select cron.schedule(
  'score-games-capture-responses',
  '*/5 * * * *',
  $$select private.capture_scoring_responses()$$
);

select cron.schedule(
  'cron-job-run-details-cleanup',
  '30 7 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '14 days'$$
);
