-- Least privilege for the API roles. Supabase's default privileges give anon and authenticated
-- every table privilege in `public`, and row level security gates only SELECT, INSERT, UPDATE
-- and DELETE: TRUNCATE (which empties a table whatever its policies), REFERENCES, TRIGGER and,
-- on Postgres 17, MAINTAIN are not covered, nor are sequences (nextval burns identity values).
-- The app's roles need none of them. Revoked on every existing table, view and sequence, and
-- for those created later by this role (the migrations' role).

revoke truncate, references, trigger on all tables in schema public from anon, authenticated;
revoke all on all sequences in schema public from anon, authenticated;

alter default privileges in schema public
  revoke truncate, references, trigger on tables from anon, authenticated;
alter default privileges in schema public
  revoke all on sequences from anon, authenticated;

-- MAINTAIN (VACUUM, ANALYZE, LOCK TABLE, ...) exists from Postgres 17 on.
do $$
begin
  if current_setting('server_version_num')::integer >= 170000 then
    execute 'revoke maintain on all tables in schema public from anon, authenticated';
    execute 'alter default privileges in schema public '
      || 'revoke maintain on tables from anon, authenticated';
  end if;
end
$$;
