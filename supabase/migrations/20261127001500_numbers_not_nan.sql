-- Numbers that are numbers. A numeric column accepts 'NaN', which passes checks like
-- "ticket_price > 0" (Postgres sorts NaN above every number) and would reach the scorer as the
-- JSON string "NaN". Every numeric column of the data model now refuses it.

alter table public.games
  add constraint games_ticket_price_is_a_number check (ticket_price <> 'NaN'),
  add constraint games_overall_odds_is_a_number check (overall_odds <> 'NaN');

alter table public.prize_tiers
  add constraint prize_tiers_prize_amount_is_a_number check (prize_amount <> 'NaN'),
  add constraint prize_tiers_odds_is_a_number check (odds <> 'NaN');

alter table public.predictions
  add constraint predictions_expected_value_is_a_number check (expected_value <> 'NaN');
