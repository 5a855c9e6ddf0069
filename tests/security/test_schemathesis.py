"""Bad input generated from the OpenAPI schema by schemathesis, in-process against the ASGI app,
signed in as a resident: schema-valid and schema-breaking requests to every operation.

Every one of schemathesis's checks runs, among them:
- `negative_data_rejection`: a request the schema calls invalid is refused (request bodies are
  strict: no `0` for false, no `"5"` for 5; ids and cursors are bounded as declared);
- `positive_data_acceptance`: a request the schema calls valid succeeds, or gets one of the
  refusals its operation documents (401/403 by role, 404 for an unknown id, 409 for a running
  Idempotency-Key, 422 for a business rule such as a non-Kazakh phone number; see
  `backend_stub/openapi_errors.py`): nothing undocumented and no 5xx;
plus one of ours, `valid_input_is_not_malformed`: such a 422 names its business rule, never the
generic `validation_error` (that would mean the schema and the validator disagree).

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
from schemathesis.config import PositiveDataAcceptanceConfig

from backend_stub.config import Settings
from backend_stub.main import create_app
from tests.conftest import sign_in

SIGN_OUT = "/api/v1/auth/logout"
ENDLESS = {"/api/v1/events"}  # an SSE stream never ends (tests/backend/test_events.py has it)


def documented(operation: schemathesis.APIOperation) -> list[str]:
    """What valid input may get: success, and the refusals the operation names (not the 4XX
    range, which covers malformed input)."""
    statuses = [str(status) for status in operation.definition.raw.get("responses", {})]
    return ["2XX", *(s for s in statuses if s.isdigit() and not s.startswith("2"))]


def valid_input_is_not_malformed(
    ctx: object, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """A 4xx for schema-valid input must name a business rule, not `validation_error`."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 422) and '"validation_error"' in response.text:
        raise AssertionError(f"refused as malformed, yet the schema accepts it: {response.text}")
    return None


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
            schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
                expected_statuses=documented(operation)
            )
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
                    case.call_and_validate(
                        headers=token, additional_checks=[valid_input_is_not_malformed]
                    )

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
