"""The access log never keeps a secret sent in a query string (Open311's `api_key`, a signed
media link's `sig`): uvicorn logs the full path, so the values are masked before any handler."""

from __future__ import annotations

import logging
import re

_SECRET_PARAM = re.compile(r"(?i)\b(api_key|sig)=[^&\s]*")


def mask_secrets(path: str) -> str:
    return _SECRET_PARAM.sub(r"\1=***", path)


class MaskSecrets(logging.Filter):
    """For `uvicorn.access`, whose record args are (client, method, path, http version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask_secrets(args[2]), *args[3:])
        return True


def install() -> None:
    logging.getLogger("uvicorn.access").addFilter(MaskSecrets())
