-- The app's roles only read. anon and authenticated held INSERT, UPDATE and DELETE on every
-- public table (Supabase's default privileges); row level security refused them row by row, as
-- no policy lets them write, but a policy added later for reading (`for all` by mistake) or a
-- table created without RLS would have been writable through the Data API. Nothing of theirs
-- writes: the function writes as the database owner, model:publish with the service key. So the
-- privileges go, on every table and view of `public` and for those created later by this role
-- (the migrations' role); TRUNCATE, REFERENCES and TRIGGER went in 20261203002000.

revoke insert, update, delete, truncate on all tables in schema public from anon, authenticated;

alter default privileges in schema public
  revoke insert, update, delete, truncate on tables from anon, authenticated;
