-- The app may see which model is active, and nothing else of the registry: anon and
-- authenticated get the columns `version` and `is_active` only, and row level security shows
-- them the active row only. Storage paths, checksums, metrics and retired versions stay
-- service_role's. public.current_predictions (security invoker) relies on this to pick the
-- active model's rows with the reader's own rights.

grant select (version, is_active) on public.ml_models to anon, authenticated;

create policy "Anyone can see which model is active"
on public.ml_models for select
to anon, authenticated
using (is_active);
