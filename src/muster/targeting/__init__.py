"""Targeting support (issue 10), the database side: reads registers, rolls and calendars and
hands them to the rules in `muster.core.targeting`."""
