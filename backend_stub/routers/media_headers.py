"""What both media routers share: the tus protocol's version and headers, a bad header's error."""

from __future__ import annotations

from backend_stub.errors import ApiError

TUS_VERSION = "1.0.0"
TUS = {"Tus-Resumable": TUS_VERSION}


def bad_header(name: str, kind: str, status: int = 400) -> ApiError:
    """A 400 (or `status`) naming the header at fault; it carries `Tus-Resumable`."""
    return ApiError(
        status,
        "validation_error",
        details={"fields": [{"loc": ["header", name], "type": kind}]},
        headers=TUS,
    )
