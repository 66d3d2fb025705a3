"""Statutory workflows: first-day calling, penalty-notice cases and returns to the LA (issue 4).

The rules are in `muster.core.rules` (returns, lateness, first_day, penalty_notice,
penalty_notice_offences); this app keeps the records they produce and the steps staff take.
"""
