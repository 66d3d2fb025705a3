"""Records management: how long registers are kept, anonymising leavers after that, a child's
subject access export, and backing up and restoring the whole database.

Sources: SI 2024/208 explanatory note (every register entry kept at least six years; domain
reference 0 and 1, "Retention"); the policy file `policies/national/retention/register_years.yaml`.
"""
