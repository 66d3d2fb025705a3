#!/usr/bin/env python3
"""Time every pupil's figures and penalty-notice date on a generated local-authority year.

    .venv/bin/python bench/figures.py                  # 100,000 pupils, best of 3
    .venv/bin/python bench/figures.py --pupils 2000 --repeat 1 --no-postgres

The same as `muster bench`; what is measured is in bench/README.md. Prints the figures and, with
--json FILE, writes them as JSON too. Exits with status 1 if the engines disagree.
"""

from __future__ import annotations

import argparse
import json
import sys

from muster.bench import POSTGRES_URL, EnginesDisagree, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=100_000, help="pupils in the LA year (default 100,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine; the best is kept")
    parser.add_argument("--seed", type=int, default=2025, help="random seed of the generated year")
    parser.add_argument("--skip-database", action="store_true", help="only the in-memory engines")
    parser.add_argument("--postgres", default=POSTGRES_URL, help="PostgreSQL server to use if reachable")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL leg")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    try:
        result = run(
            n_pupils=args.pupils, repeat=args.repeat, database=not args.skip_database,
            postgres_url=None if args.no_postgres else args.postgres, seed=args.seed,
        )
    except EnginesDisagree:
        return 1
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
