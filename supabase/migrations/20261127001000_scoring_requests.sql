-- Invoking the score-games Edge Function from the database: one pg_net request per state with
-- active games, the project URL and the secret key read from Vault, each request recorded in
-- private.scoring_requests so its outcome can be followed after pg_net forgets it.

create table private.scoring_requests (
  id bigint generated always as identity primary key,
  -- pg_net's id of the request (net.http_request_queue.id, then net._http_response.id).
  net_request_id bigint not null,
  state text not null check (state ~ '^[A-Z]{2}$'),
  requested_at timestamptz not null default now(),
  timeout_milliseconds integer not null check (timeout_milliseconds > 0),
  -- What happened, copied from net._http_response by private.capture_scoring_responses():
  -- ok (HTTP 2xx), http_error (any other status), timed_out, error (no HTTP answer: connection
  -- refused, DNS...), no_response (pg_net recorded nothing: its queue was lost on a restart or the
  -- response expired before it was captured). NULL while pending.
  outcome text check (outcome in ('ok', 'http_error', 'timed_out', 'error', 'no_response')),
  status_code integer check (status_code between 100 and 599),
  error_message text,
  -- The start of the function's answer (its JSON names the run), for reading failures.
  response_body text,
  responded_at timestamptz,
  captured_at timestamptz,
  check ((outcome is null) = (captured_at is null)),
  check ((outcome in ('ok', 'http_error')) = (status_code is not null)),
  check (outcome <> 'ok' or status_code between 200 and 299)
);
alter table private.scoring_requests enable row level security;
revoke all on private.scoring_requests from public, anon, authenticated;
-- Read by service_role through the scoring_health view (security invoker); written only by the
-- security-definer functions below.
grant select on private.scoring_requests to service_role;

comment on table private.scoring_requests is
  'Requests the database sent to score-games through pg_net, with their captured outcome.';

-- "The last request of each state" (scoring_health) and "the requests still waiting" (capture).
create index scoring_requests_state_requested_at_idx
on private.scoring_requests (state, requested_at desc, id desc);
create index scoring_requests_pending_idx
on private.scoring_requests (net_request_id)
where outcome is null or outcome = 'no_response';

-- Sends one POST to score-games per state with active games (optionally only the given states)
-- and records each request. pg_net sends after this transaction commits; nothing is sent when it
-- rolls back. The timeout is explicit: pg_net's default (5 s) is shorter than a scoring run.
create function private.request_scoring(
  states text[] default null,
  timeout_milliseconds integer default 120000
) returns setof private.scoring_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
  project_url text;
  service_role_key text;
begin
  if request_scoring.timeout_milliseconds is null
    or request_scoring.timeout_milliseconds not between 1 and 600000 then
    raise exception 'Cannot request scoring: timeout_milliseconds must be between 1 and 600000, got %',
      coalesce(request_scoring.timeout_milliseconds::text, 'NULL')
      using errcode = '22023';
  end if;

  select
    max(secret.decrypted_secret) filter (where secret.name = 'project_url'),
    max(secret.decrypted_secret) filter (where secret.name = 'service_role_key')
  into project_url, service_role_key
  from vault.decrypted_secrets as secret
  where secret.name in ('project_url', 'service_role_key');

  if project_url is null or btrim(project_url) = '' then
    raise exception 'Cannot request scoring: Vault secret project_url is missing'
      using errcode = 'P0002',
        hint = 'select vault.create_secret(''https://<project-ref>.supabase.co'', ''project_url''); '
          || 'see docs/nightly-schedule.md';
  end if;
  if service_role_key is null or btrim(service_role_key) = '' then
    raise exception 'Cannot request scoring: Vault secret service_role_key is missing'
      using errcode = 'P0002',
        hint = 'select vault.create_secret(''<secret key>'', ''service_role_key''); '
          || 'see docs/nightly-schedule.md';
  end if;

  return query
  with active_states as (
    select distinct game.state
    from public.games as game
    where game.is_active
      and (request_scoring.states is null or game.state = any (request_scoring.states))
  ),
  sent as (
    select
      net.http_post(
        url := rtrim(project_url, '/') || '/functions/v1/score-games',
        body := jsonb_build_object('trigger', 'cron', 'states', jsonb_build_array(active.state)),
        headers := jsonb_build_object(
          'Content-Type', 'application/json',
          'Authorization', 'Bearer ' || service_role_key,
          'apikey', service_role_key
        ),
        timeout_milliseconds := request_scoring.timeout_milliseconds
      ) as net_request_id,
      active.state
    from active_states as active
    order by active.state
  ),
  recorded as (
    insert into private.scoring_requests (net_request_id, state, timeout_milliseconds)
    select sent.net_request_id, sent.state, request_scoring.timeout_milliseconds
    from sent
    returning *
  )
  select * from recorded order by recorded.state;
end
$$;

revoke all on function private.request_scoring(text[], integer) from public, anon, authenticated;
grant execute on function private.request_scoring(text[], integer) to service_role;

comment on function private.request_scoring(text[], integer) is
  'POSTs {"trigger":"cron","states":[state]} to score-games once per state with active games.';
