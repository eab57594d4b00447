-- current_predictions shows probability_above_par too: the app reads the chance that a ticket
-- bought that day returns $1 or more per $1 beside the expected return. The view is the same
-- otherwise (20261203002300); the new column comes last, as `create or replace view` requires.

create or replace view public.current_predictions
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
  prediction.updated_at as scored_at,
  prediction.probability_above_par
from public.games as game
join public.predictions as prediction on prediction.game_id = game.id
join public.ml_models as model on model.version = prediction.model_version and model.is_active
where game.is_active
  and prediction.prediction_date <= (now() at time zone 'America/Chicago')::date
order by game.id, prediction.prediction_date desc;

comment on column public.current_predictions.probability_above_par is
  'Calibrated chance (0-1) that a ticket bought that day returns $1 or more per $1.';
