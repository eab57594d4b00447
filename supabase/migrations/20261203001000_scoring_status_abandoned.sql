-- A run whose process stopped before it could close its own row (the function was killed or lost
-- its database connection, the database restarted) is closed by the abandoned-run sweep with a
-- status of its own, 'abandoned': it neither succeeded nor failed by its own account. On its own
-- in this file because a new enum value cannot be used in the transaction that adds it.

alter type public.scoring_status add value if not exists 'abandoned';
