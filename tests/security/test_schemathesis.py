"""Bad input generated from the OpenAPI schema by schemathesis, in-process against the ASGI app,
signed in as a resident: schema-valid and schema-breaking requests to every operation.

All of schemathesis's checks run except two that do not fit this API:
- `positive_data_acceptance` expects every schema-valid request to succeed, but many refusals
  are business rules no JSON schema can state (a Kazakh mobile number, a known category, an
  appeal that is not yours, a poll that has closed);
- `negative_data_rejection` expects every schema-breaking request to be refused, but the API,
  like Pydantic by default, converts a JSON scalar of another type when nothing is lost
  (`0` for false, `false` for 0.0): a tolerance, not a hole.
Those requests are still checked by everything else: no 5xx, a documented status, the
documented error shape and content type.

The default run is small and seeded (a few examples per operation); the `slow` variant runs
many random examples per operation: `pytest -m slow tests/security/test_schemathesis.py`.
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.conftest import sign_in

NOT_APPLICABLE = [positive_data_acceptance, negative_data_rejection]
SIGN_OUT = "/api/v1/auth/logout"
ENDLESS = {"/api/v1/events"}  # an SSE stream never ends (tests/backend/test_events.py has it)


def fuzz(settings: Settings, examples: int, seeded: bool) -> tuple[int, list[str]]:
    """Run every operation in both modes; (operations run, failures as readable lines)."""
    settings.emergency_worker_interval_s = 0
    app = create_app(settings)
    failures: list[str] = []
    runs = 0
    with TestClient(app) as client:
        token = sign_in(client)
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        operations = [op for op in operations if op.path not in ENDLESS]
        operations.sort(key=lambda op: op.path == SIGN_OUT)  # it ends the session: last
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @given(case=operation.as_strategy(generation_mode=mode))
                @hsettings(
                    max_examples=examples,
                    deadline=None,
                    derandomize=seeded,
                    database=None,
                    suppress_health_check=list(HealthCheck),
                )
                def check(case: schemathesis.Case) -> None:
                    case.call_and_validate(headers=token, excluded_checks=NOT_APPLICABLE)

                runs += 1
                try:
                    check()
                except Unsatisfiable:
                    pass  # nothing schema-breaking can be made for it (e.g. no parameters)
                except BaseException as exc:  # schemathesis reports a BaseExceptionGroup
                    if isinstance(exc, KeyboardInterrupt | SystemExit):
                        raise
                    name = f"{operation.method.upper()} {operation.path} [{mode.value}]"
                    failures.append(f"{name}: {exc}")
                if operation.path != SIGN_OUT:  # the rest must still run signed in
                    assert client.get("/api/v1/profile", headers=token).status_code == 200
    return runs, failures


def test_schemathesis_finds_nothing(settings: Settings) -> None:
    runs, failures = fuzz(settings, examples=3, seeded=True)
    assert runs > 150  # both modes of every operation
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_schemathesis_finds_nothing_long(settings: Settings) -> None:
    _, failures = fuzz(settings, examples=50, seeded=False)
    assert not failures, "\n\n".join(failures)
