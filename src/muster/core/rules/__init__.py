"""Statutory rules, one module each, reading their figures from `muster/policies`."""
