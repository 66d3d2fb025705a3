"""Attendance policies as versioned data: bands of a measure and, per band, absence type and
role, the interventions required (issue 3, parts 1-3).

`format` holds the shapes, `loader` reads and validates a policy file, `check` finds what is
wrong with a loaded policy (gaps, overlaps, unreachable bands, unknown roles, dates out of order).
`evaluate` places a pupil's figures in a band and lists what each role must do.
"""

from muster.core.policy.check import Finding, check_policy
from muster.core.policy.format import (
    AbsenceType,
    Band,
    Coverage,
    Edge,
    Intervention,
    Measure,
    Policy,
    TaskTemplate,
)
from muster.core.policy.loader import PolicyError, load_all, load_policy, shipped_policy_paths

__all__ = [
    "AbsenceType", "Band", "Coverage", "Edge", "Finding", "Intervention", "Measure", "Policy",
    "PolicyError", "TaskTemplate", "check_policy", "load_all", "load_policy",
    "shipped_policy_paths",
]
