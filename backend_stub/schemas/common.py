"""What request shapes share, so that the OpenAPI document describes exactly what is accepted.

- `StrictIn`: JSON bodies take their declared types only (no `0` for false, no `"5"` for 5,
  no `true` for 1); unknown properties are ignored, as the schema allows them.
- `Iso`: an RFC 3339 date-time string with an offset, the schema's `format: date-time` (not a
  Unix timestamp, not a naive time).
- `NOT_BLANK`: the pattern of free text that must say something.
- `INTEGRAL`: an integer as JSON may write it (5 or 5.0), never a string or a bool.
- `RowId`, `IdPath`, `BeforeIdQuery`: database ids are 1 .. 2**31 - 1 (a PostgreSQL integer),
  declared as such, so an id no row can have is refused as input, not by the database.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, Strict

MAX_ID = 2**31 - 1
NOT_BLANK = r"\S"  # free text: something besides spaces (the server trims it)

_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


class StrictIn(BaseModel):
    """The base of every JSON request body."""

    model_config = ConfigDict(strict=True)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):  # built in Python (the console, the demo): already a time
        return value
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("an RFC 3339 date-time with an offset, e.g. 2026-07-12T09:30:00+05:00")
    return value


def _integral(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# After an int's constraints: 5.0 is the integer 5 to JSON Schema; 5.5, "5" and true are not.
INTEGRAL = BeforeValidator(_integral)
Iso = Annotated[AwareDatetime, Strict(False), BeforeValidator(_rfc3339)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID), INTEGRAL]
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
BeforeIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
