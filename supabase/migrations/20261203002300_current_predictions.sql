-- current_predictions: what the app shows, one row per active game: the active model's
-- prediction of the latest prediction date up to today (America/Chicago). predictions keeps one
-- row per game, date and model version (other models' rows stay, for audit); after a model
-- switch on the same day this view shows the newly active model's row only, once it has run.
--
-- security_invoker: the view reads games, predictions and ml_models with the reader's rights,
-- so their row level security applies to the app's anon key exactly as on the tables (a
-- security-definer view would read them as its owner, bypassing RLS). anon may read the active
-- model's version for this (20261203002200).

create view public.current_predictions
with (security_invoker = true)
as
select distinct on (game.id)
  game.id as game_id,
  game.state,
  game.game_number,
  game.game_name,
  game.ticket_price,
  prediction.prediction_date,
  prediction.model_version,
  prediction.ai_score,
  prediction.recommendation,
  prediction.expected_return,
  prediction.expected_return_low,
  prediction.expected_return_high,
  prediction.expected_value,
  prediction.win_probability,
  prediction.confidence_level,
  prediction.reasoning,
  prediction.updated_at as scored_at
from public.games as game
join public.predictions as prediction on prediction.game_id = game.id
join public.ml_models as model on model.version = prediction.model_version and model.is_active
where game.is_active
  and prediction.prediction_date <= (now() at time zone 'America/Chicago')::date
order by game.id, prediction.prediction_date desc;

revoke all on public.current_predictions from public, anon, authenticated, service_role;
grant select on public.current_predictions to anon, authenticated, service_role;

comment on view public.current_predictions is
  'One row per active game: the active model''s latest prediction (up to today, America/Chicago).';
comment on column public.current_predictions.scored_at is 'When the row was last written.';
