-- STAND-IN for Supabase's pg_net extension, for the Docker-free local stack only.
-- Keeps the real signatures of net.http_post / net.http_get and the tables
-- net.http_request_queue and net._http_response. Like pg_net, a request is queued in the
-- caller's transaction; a NOTIFY (delivered only on commit) wakes the local worker
-- (scripts/local-stack/pg-net-worker.ts), which sends it and records the response.

create schema if not exists net;

create unlogged table net.http_request_queue (
  id bigserial primary key,
  method text not null check (method in ('GET', 'POST', 'DELETE')),
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);

create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index on net._http_response (created);

-- Queues one request and wakes the worker; the NOTIFY is delivered only when the caller commits.
create function net._standin_enqueue(
  method text,
  url text,
  params jsonb,
  headers jsonb,
  body bytea,
  timeout_milliseconds integer
) returns bigint
language plpgsql
as $$
declare
  request_id bigint;
  query text;
begin
  select coalesce('?' || string_agg(format('%s=%s', key, value), '&'), '')
    into query
    from jsonb_each_text(params);
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, url || query, headers, body, timeout_milliseconds)
  returning id into request_id;
  perform pg_notify('pg_net_standin', request_id::text);
  return request_id;
end
$$;

create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql
as $$
  select net._standin_enqueue(
    'POST', url, params, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds
  )
$$;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds integer default 5000
) returns bigint
language sql
as $$
  select net._standin_enqueue('GET', url, params, headers, null, timeout_milliseconds)
$$;
