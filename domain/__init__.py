"""Pure rules of Pulse: periods, indicator progress and status, forecasts, scores, evaluation. No SQL, no Dash."""
