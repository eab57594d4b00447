-- An answer belongs to the request that caused it. pg_net's ids restart after a crash, so a lost
-- request and a later one can share an id: the capture step matches an answer by the token the
-- function echoes, and an answer without a token (a timeout, no connection) only to the newest
-- request that had the id when it was recorded. A lost request never reads as a success, and
-- responded_at is set only for an HTTP answer. Rolled back.
begin;
select plan(12);

delete from private.scoring_requests;
delete from public.scoring_runs;
insert into public.games (state, game_number, game_name, ticket_price, overall_odds)
values ('YA', 'MATCH-A', 'Match A', 5, 3.5), ('YB', 'MATCH-B', 'Match B', 5, 3.5);

-- Before the crash: YA's request 7700001 and YB's 7700002 were queued and lost with the queue.
-- After it, the ids started again: YB's new request got 7700001, YA's new one 7700002.
insert into private.scoring_requests (
  net_request_id, state, requested_at, timeout_milliseconds, token, prediction_date
)
values
  (7700001, 'YA', now() - interval '1 hour', 1000, 'a0000000-0000-4000-8000-000000000001', '2026-12-01'),
  (7700002, 'YB', now() - interval '1 hour', 1000, 'b0000000-0000-4000-8000-000000000001', '2026-12-01'),
  (7700001, 'YB', now() - interval '10 minutes', 120000, 'b0000000-0000-4000-8000-000000000002', '2026-12-01'),
  (7700002, 'YA', now() - interval '10 minutes', 1000, 'a0000000-0000-4000-8000-000000000002', '2026-12-01');

-- Nothing recorded yet: all four are marked lost after their timeout, as the 5-minute job does.
select is(private.capture_scoring_responses(lost_after => interval '1 minute'), 4, 'four unanswered requests are marked lost');

-- The run YB's second request started (the function records the token), and the answers: a
-- 200 from the function for 7700001 carrying YB's token (the header name in any case), and a
-- timeout for 7700002 (pg_net records no headers for it).
insert into public.scoring_runs (trigger, scope, prediction_date, status, started_at, finished_at, request_token)
values ('cron', '{"states": ["YB"]}', '2026-12-01', 'succeeded', now() - interval '9 minutes',
  now() - interval '9 minutes', 'b0000000-0000-4000-8000-000000000002');
insert into net._http_response (id, status_code, headers, content, timed_out, error_msg, created)
values
  (7700001, 200, '{"X-Scoring-Request-Token": "b0000000-0000-4000-8000-000000000002"}',
    '{"run_id":"yb"}', false, null, now() - interval '9 minutes'),
  (7700002, null, null, null, true, 'Timeout of 1000 ms reached', now() - interval '9 minutes');

select is(private.capture_scoring_responses(lost_after => interval '1 minute'), 2, 'two late answers replace the mark');

select results_eq(
  $$select state, outcome, status_code, responded_at is not null
    from private.scoring_requests where requested_at < now() - interval '30 minutes' order by state$$,
  $$values ('YA', 'no_response', null::integer, false), ('YB', 'no_response', null::integer, false)$$,
  'the lost requests stay lost: neither took the answer of the request that reused its id'
);
select results_eq(
  $$select state, outcome, status_code
    from private.scoring_requests where requested_at > now() - interval '30 minutes' order by state$$,
  $$values ('YA', 'timed_out', null::integer), ('YB', 'ok', 200)$$,
  'the answers go to the requests that caused them'
);
select is(
  (select run_id from private.scoring_requests where token = 'b0000000-0000-4000-8000-000000000002'),
  (select id from public.scoring_runs where request_token = 'b0000000-0000-4000-8000-000000000002'),
  'a captured request names the run its token started'
);
select is(
  (select responded_at from private.scoring_requests where token = 'b0000000-0000-4000-8000-000000000002'),
  now() - interval '9 minutes',
  'responded_at is when the HTTP answer was recorded'
);
select is(
  (select responded_at from private.scoring_requests where token = 'a0000000-0000-4000-8000-000000000002'),
  null,
  'a timeout has no responded_at: nothing answered'
);

set local role service_role;
select results_eq(
  $$select state, last_request_status, last_request_failure, last_request_run_id is not null
    from public.scoring_health where state in ('YA', 'YB') order by state$$,
  $$values ('YA', 'failed', 'timed_out', false), ('YB', 'succeeded', null, true)$$,
  'scoring_health reads each state''s own answer'
);
reset role;

-- An answer carrying a token no request has is nobody's, even with a matching id.
insert into private.scoring_requests (net_request_id, state, requested_at, timeout_milliseconds, token)
values (7700003, 'YA', now() - interval '5 minutes', 600000, 'a0000000-0000-4000-8000-000000000003');
insert into net._http_response (id, status_code, headers, content, timed_out, created)
values (7700003, 200, '{"x-scoring-request-token": "c0000000-0000-4000-8000-00000000000c"}', '{}', false, now());
select is(private.capture_scoring_responses(), 0, 'an answer with another request''s token is not captured');
select is(
  (select outcome from private.scoring_requests where token = 'a0000000-0000-4000-8000-000000000003'),
  null,
  'so the request stays pending'
);

-- Its own answer arrives: captured.
insert into net._http_response (id, status_code, headers, content, timed_out, created)
values (7700003, 409, '{"x-scoring-request-token": "A0000000-0000-4000-8000-000000000003"}',
  '{"error":{"code":"run_in_progress"}}', false, now());
select is(private.capture_scoring_responses(), 1, 'its own answer (token in any case) is captured');
select is(
  (select outcome || ' ' || status_code from private.scoring_requests
   where token = 'a0000000-0000-4000-8000-000000000003'),
  'http_error 409',
  'a 409 is a failed request'
);

select * from finish();
rollback;
