-- probability_above_par: the model's calibrated chance that a ticket bought that day returns $1
-- or more per $1 (calibrated on held-out simulated states: of the game-days given p, about p
-- were above par). NULL only on predictions written before the column existed; score-games
-- writes it on every row. Tiny for almost every game.

alter table public.predictions
  add column probability_above_par double precision
    -- NaN sorts above every number in Postgres, so "between 0 and 1" refuses it too.
    constraint predictions_probability_above_par_is_a_probability
      check (probability_above_par between 0 and 1);

comment on column public.predictions.probability_above_par is
  'Calibrated chance (0-1) that a ticket bought that day returns $1 or more per $1; NULL on rows written before it existed.';
