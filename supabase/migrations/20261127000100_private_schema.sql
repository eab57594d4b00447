-- Private helpers: a schema the Data API never exposes, for trigger functions, validators and
-- security-definer functions that only the database itself or service_role may call.

create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to service_role;

-- Keeps `updated_at` honest on every update, whoever writes.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
