"""Muster: school attendance registers, figures and the work that follows."""

__version__ = "0.1.0"
