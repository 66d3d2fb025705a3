"""Text accepted from a caller: any characters but NUL, which PostgreSQL cannot store (found by
schemathesis); the pattern is in the schema, so the caller is told before sending."""

from typing import Annotated

from ninja import Path
from pydantic import StringConstraints

NO_NUL = r"^[^\x00]*$"

Text = Annotated[str, StringConstraints(pattern=NO_NUL)]


def path_text():
    return Path(..., pattern=NO_NUL)
