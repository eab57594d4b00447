-- Tying each answer to the request that caused it. pg_net's request ids restart after a crash
-- (its queue and response tables are unlogged and its sequence starts again), so a lost nightly
-- request and a later one could share an id, and the capture step recorded the later request's
-- success as the lost one's. Now every request carries a token of its own in the
-- X-Scoring-Request-Token header; score-games records it on the run it starts and echoes it in
-- its answer, and an answer counts as a request's only when it carries that request's token (or,
-- when it carries none, e.g. a timeout, when no newer request had been given the same pg_net id
-- by the time the answer was recorded). `responded_at` is set only for an HTTP answer.
--
-- Requests also record the prediction date they ask for (now sent in the body, today in
-- America/Chicago, so a retry scores the same day) and which attempt for that state and date
-- they are, and, once captured, the run they started.

alter table private.scoring_requests
  add column token uuid not null default gen_random_uuid(),
  add column prediction_date date,
  add column attempt integer not null default 1 check (attempt >= 1),
  add column run_id uuid references public.scoring_runs (id) on delete set null;

create unique index scoring_requests_token_idx on private.scoring_requests (token);
create index scoring_requests_date_state_idx on private.scoring_requests (prediction_date, state);
create index scoring_requests_run_id_idx on private.scoring_requests (run_id);

comment on column private.scoring_requests.token is
  'Sent as the X-Scoring-Request-Token header; score-games records it on its run and echoes it.';
comment on column private.scoring_requests.attempt is
  'Which request this is for its state and prediction date (1 = first, 2 = first retry, ...).';
comment on column private.scoring_requests.responded_at is
  'When pg_net recorded this request''s HTTP answer; NULL without one (pending, timed out, no connection).';
comment on column private.scoring_requests.run_id is
  'The run score-games started for this request (matched by token), once captured.';

-- The day a nightly request scores: today in America/Chicago, as the function's default.
create function private.scoring_date_today()
returns date
language sql
stable
set search_path = ''
as $$
  select (now() at time zone 'America/Chicago')::date
$$;

-- Sends one POST per given state, for one prediction date, and records each request (with its
-- token and attempt number). pg_net sends after the calling transaction commits.
create function private.send_scoring_requests(
  target_states text[],
  target_date date,
  timeout_milliseconds integer
) returns setof private.scoring_requests
language plpgsql
security definer
set search_path = ''
as $$
declare
  project_url text;
  service_role_key text;
begin
  if send_scoring_requests.timeout_milliseconds is null
    or send_scoring_requests.timeout_milliseconds not between 1 and 600000 then
    raise exception 'Cannot request scoring: timeout_milliseconds must be between 1 and 600000, got %',
      coalesce(send_scoring_requests.timeout_milliseconds::text, 'NULL')
      using errcode = '22023';
  end if;
  if target_date is null then
    raise exception 'Cannot request scoring: a prediction date is required' using errcode = '22004';
  end if;
  if coalesce(cardinality(target_states), 0) = 0 then
    return;
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
  with planned as (
    select
      target.state,
      gen_random_uuid() as token,
      1 + (
        select count(*)::integer
        from private.scoring_requests as earlier
        where earlier.state = target.state and earlier.prediction_date = target_date
      ) as attempt
    from (select distinct unnest(target_states) as state) as target
    where target.state is not null
  ),
  sent as (
    select
      net.http_post(
        url := rtrim(project_url, '/') || '/functions/v1/score-games',
        body := jsonb_build_object(
          'trigger', 'cron',
          'states', jsonb_build_array(planned.state),
          'prediction_date', target_date
        ),
        headers := jsonb_build_object(
          'Content-Type', 'application/json',
          'Authorization', 'Bearer ' || service_role_key,
          'apikey', service_role_key,
          'X-Scoring-Request-Token', planned.token
        ),
        timeout_milliseconds := send_scoring_requests.timeout_milliseconds
      ) as net_request_id,
      planned.state,
      planned.token,
      planned.attempt
    from planned
    order by planned.state
  ),
  recorded as (
    insert into private.scoring_requests (
      net_request_id, state, timeout_milliseconds, token, prediction_date, attempt
    )
    select sent.net_request_id, sent.state, send_scoring_requests.timeout_milliseconds,
      sent.token, target_date, sent.attempt
    from sent
    returning *
  )
  select * from recorded order by recorded.state;
end
$$;

revoke all on function private.send_scoring_requests(text[], date, integer)
from public, anon, authenticated;
grant execute on function private.send_scoring_requests(text[], date, integer) to service_role;

-- Same signature as before: one request per state with active games (optionally only the given
-- states), now for today's date explicitly and with a token each.
create or replace function private.request_scoring(
  states text[] default null,
  timeout_milliseconds integer default 120000
) returns setof private.scoring_requests
language sql
security definer
set search_path = ''
as $$
  select *
  from private.send_scoring_requests(
    array(
      select distinct game.state
      from public.games as game
      where game.is_active
        and (request_scoring.states is null or game.state = any (request_scoring.states))
      order by game.state
    ),
    private.scoring_date_today(),
    request_scoring.timeout_milliseconds
  )
$$;

comment on function private.request_scoring(text[], integer) is
  'POSTs {"trigger":"cron","states":[state],"prediction_date":today} to score-games once per state with active games, each with its own token.';

-- The X-Scoring-Request-Token header of a recorded answer, whatever the case of its name.
create function private.scoring_response_token(headers jsonb)
returns text
language sql
immutable
set search_path = ''
as $$
  select lower(btrim(header.value))
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as header(name, value)
  where lower(header.name) = 'x-scoring-request-token'
  limit 1
$$;

create or replace function private.capture_scoring_responses(
  lost_after interval default interval '10 minutes'
) returns integer
language sql
security definer
set search_path = ''
as $$
  with matched as (
    select distinct on (request.id)
      request.id as request_id,
      response.status_code,
      response.timed_out,
      response.error_msg,
      response.content,
      response.created
    from private.scoring_requests as request
    join net._http_response as response
      on response.id = request.net_request_id and response.created >= request.requested_at
    where (request.outcome is null or request.outcome = 'no_response')
      and case
        -- The function's answers carry the token of the request they answer.
        when private.scoring_response_token(response.headers) is not null then
          private.scoring_response_token(response.headers) = request.token::text
        -- Without one (a timeout, no connection, an answer not from the function), the answer
        -- is the newest request's that had this pg_net id when it was recorded.
        else not exists (
          select 1
          from private.scoring_requests as newer
          where newer.net_request_id = request.net_request_id
            and (newer.requested_at, newer.id) > (request.requested_at, request.id)
            and newer.requested_at <= response.created
        )
      end
    order by request.id, response.created desc
  ),
  answered as (
    update private.scoring_requests as request
    set
      outcome = case
        when matched.status_code between 200 and 299 then 'ok'
        when matched.status_code is not null then 'http_error'
        -- pg_net sets timed_out; older releases only said so in error_msg.
        when matched.timed_out or matched.error_msg like 'Timeout of %' then 'timed_out'
        else 'error'
      end,
      status_code = matched.status_code,
      error_message = case
        when matched.status_code is null
          then coalesce(matched.error_msg, 'pg_net recorded neither a status nor an error')
      end,
      response_body = left(matched.content, 2000),
      responded_at = case when matched.status_code is not null then matched.created end,
      run_id = (
        select run.id
        from public.scoring_runs as run
        where run.request_token = request.token
        order by run.started_at desc
        limit 1
      ),
      captured_at = now()
    from matched
    where request.id = matched.request_id
    returning request.id
  ),
  unanswered as (
    update private.scoring_requests as request
    set
      outcome = 'no_response',
      error_message = 'pg_net recorded no response within the timeout plus ' || lost_after::text
        || ': its queue was lost (database restart) or the response expired before capture',
      responded_at = null,
      captured_at = now()
    where request.outcome is null
      and request.requested_at
        + make_interval(secs => request.timeout_milliseconds / 1000.0) + lost_after < now()
      and not exists (select 1 from matched where matched.request_id = request.id)
    returning request.id
  )
  select ((select count(*) from answered) + (select count(*) from unanswered))::integer
$$;

comment on function private.capture_scoring_responses(interval) is
  'Copies pg_net outcomes of scoring requests (matched by request token) from net._http_response; returns how many changed.';

revoke all on function private.scoring_date_today() from public, anon, authenticated;
grant execute on function private.scoring_date_today() to service_role;
revoke all on function private.scoring_response_token(jsonb) from public, anon, authenticated;
grant execute on function private.scoring_response_token(jsonb) to service_role;
