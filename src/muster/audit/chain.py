"""The hash that chains each audit entry to the one before it.

Each entry's hash is SHA-256 over a canonical JSON text of all its other fields, the previous
entry's hash among them. Editing a stored entry changes what its hash should be; deleting one
leaves a gap in the sequence and breaks the next entry's link. The text must be the same
whenever it is rebuilt, so keys are sorted, separators fixed, times written in UTC to the
microsecond, and values stored as the database will give them back (`stored_json`).

>>> canonical_json({"b": 1, "a": "é"})
b'{"a":"\\xc3\\xa9","b":1}'
>>> timestamp(dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC))
'2026-03-29T01:30:00.000000+00:00'
>>> stored_json({"on": dt.date(2026, 1, 5), "big": 1e16, "zero": -0.0})
{'on': '2026-01-05', 'big': 10000000000000000, 'zero': 0.0}
>>> entry_hash({"sequence": 1, "previous_hash": GENESIS})[:12]
'c58cdb68e410'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64
"""The `previous_hash` of the first entry ever written."""


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(fields)).hexdigest()


def canonical_json(value: Any) -> bytes:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def timestamp(moment: dt.datetime) -> str:
    """Both databases keep microseconds; writing them always keeps the text fixed."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def stored_json(value: Any) -> Any:
    """A before or after value as either database will return it, so the hash computed when the
    entry is written is the hash recomputed when it is read back.

    Dates, decimals and UUIDs become strings (Django's JSON encoder). PostgreSQL's jsonb writes
    numbers without exponents and has no negative zero and no NUL character, so a whole-number
    float of 1e16 or more becomes the integer it equals, -0.0 becomes 0.0 and NUL becomes U+FFFD.
    NaN and infinities are refused (ValueError): JSON has no such numbers.
    """
    if value is None:
        return None
    return _jsonb_stable(json.loads(json.dumps(value, cls=DjangoJSONEncoder, allow_nan=False)))


def _jsonb_stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {_jsonb_stable(k): _jsonb_stable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonb_stable(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float):
        if value == 0:
            return 0.0
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
    return value
