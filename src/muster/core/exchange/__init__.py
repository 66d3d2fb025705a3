"""The CSV exchange formats of `shared/domain/formats.md`: reading and checking, no storage.

Each reader turns a file into typed rows and a list of every bad row (file, line, column, value,
reason). The Django layer writes only when that list is empty: imports are all-or-nothing.
"""
