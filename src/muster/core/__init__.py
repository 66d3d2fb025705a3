"""The rules of attendance as plain Python: codes, calendars, figures, thresholds.

Nothing here imports Django (an import-linter contract in pyproject.toml keeps it so): the core
is tested with plain pytest and data tables, and the Django apps call into it.
"""
