"""Targeting support (issue 10): pupils at risk found early and explained, how well those rules
would have done on past years, and weekly attendance as process-behaviour charts.

`at_risk` flags pupils by transparent, dated rules and lists the drivers of each flag;
`backtest` scores the flags against who went on to be persistently absent, overall and by group;
`xmr` separates signal from noise in a weekly series; `worklist` finds pupils at a stage that
expects action who have had none.
"""
