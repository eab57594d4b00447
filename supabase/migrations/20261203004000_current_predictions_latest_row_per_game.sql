-- current_predictions reads one prediction row per game instead of every row: the view of
-- 20261203003200 joined all of a game's predictions (every day, every model) and kept the latest
-- with `distinct on`, a full scan of predictions that grows with every night (170 ms at 600 days
-- of 110 games and three models, 198,000 rows). Now each active game looks up the active model's
-- latest row up to today with one index probe (a lateral `order by prediction_date desc limit 1`
-- on predictions_game_model_date_idx): well under a millisecond for the same data, whatever the
-- history.
--
-- What the view means is unchanged (20261203002300): one row per active game, the active
-- model's prediction of the latest prediction date up to today (America/Chicago), other models'
-- rows ignored; and a game whose last day on sale (`end_date`) is before today is no longer
-- shown, as it is not on sale (the function skips it as `ended`). The columns, their order,
-- security_invoker and the grants stay.

create index predictions_game_model_date_idx
on public.predictions (game_id, model_version, prediction_date desc);

create or replace view public.current_predictions
with (security_invoker = true)
as
with today as (
  select (now() at time zone 'America/Chicago')::date as d
)
select
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
from today
cross join public.ml_models as model
join public.games as game
  on game.is_active and (game.end_date is null or game.end_date >= today.d)
cross join lateral (
  select
    latest.prediction_date,
    latest.model_version,
    latest.ai_score,
    latest.recommendation,
    latest.expected_return,
    latest.expected_return_low,
    latest.expected_return_high,
    latest.expected_value,
    latest.win_probability,
    latest.confidence_level,
    latest.reasoning,
    latest.updated_at,
    latest.probability_above_par
  from public.predictions as latest
  where latest.game_id = game.id
    and latest.model_version = model.version
    and latest.prediction_date <= today.d
  order by latest.prediction_date desc
  limit 1
) as prediction
where model.is_active;

comment on view public.current_predictions is
  'One row per active game on sale today: the active model''s latest prediction (up to today, '
  'America/Chicago).';
