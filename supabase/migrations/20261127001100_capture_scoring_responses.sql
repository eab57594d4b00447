-- Copies pg_net's outcome of each scoring request into private.scoring_requests. pg_net keeps its
-- responses for 6 hours only (pg_net.ttl) and loses its queue on a restart, so a cron job runs
-- this every few minutes; it can also be called directly. A request with no response long after
-- its timeout is marked no_response; a response that shows up later still replaces that mark.

create function private.capture_scoring_responses(
  lost_after interval default interval '10 minutes'
) returns integer
language sql
security definer
set search_path = ''
as $$
  with answered as (
    update private.scoring_requests as request
    set
      outcome = case
        when response.status_code between 200 and 299 then 'ok'
        when response.status_code is not null then 'http_error'
        -- pg_net sets timed_out; older releases only said so in error_msg.
        when response.timed_out or response.error_msg like 'Timeout of %' then 'timed_out'
        else 'error'
      end,
      status_code = response.status_code,
      error_message = case
        when response.status_code is null
          then coalesce(response.error_msg, 'pg_net recorded neither a status nor an error')
      end,
      response_body = left(response.content, 2000),
      responded_at = response.created,
      captured_at = now()
    from net._http_response as response
    where (request.outcome is null or request.outcome = 'no_response')
      and response.id = request.net_request_id
      -- pg_net's ids restart if the extension is ever recreated: never match an older response.
      and response.created >= request.requested_at
    returning request.id
  ),
  unanswered as (
    update private.scoring_requests as request
    set
      outcome = 'no_response',
      error_message = 'pg_net recorded no response within the timeout plus ' || lost_after::text
        || ': its queue was lost (database restart) or the response expired before capture',
      captured_at = now()
    where request.outcome is null
      and request.requested_at
        + make_interval(secs => request.timeout_milliseconds / 1000.0) + lost_after < now()
      and not exists (
        select 1
        from net._http_response as response
        where response.id = request.net_request_id and response.created >= request.requested_at
      )
    returning request.id
  )
  select ((select count(*) from answered) + (select count(*) from unanswered))::integer
$$;

revoke all on function private.capture_scoring_responses(interval)
from public, anon, authenticated;
grant execute on function private.capture_scoring_responses(interval) to service_role;

comment on function private.capture_scoring_responses(interval) is
  'Copies pg_net outcomes of scoring requests from net._http_response; returns how many changed.';
