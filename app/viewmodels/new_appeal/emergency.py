"""The emergency step's choice: which service (101/102/103/104/112) the appeal is forwarded
to, the number to call meanwhile, and the category filed when the resident chose none."""

from __future__ import annotations

from app.domain.appeals import EmergencyService
from app.i18n import N_, Message
from app.viewmodels.appeal_text import SERVICE_LABELS
from app.viewmodels.new_appeal.context import FlowContext

EMERGENCY_CODES: tuple[EmergencyService, ...] = ("101", "102", "103", "104", "112")
EMERGENCY_SERVICES: tuple[tuple[EmergencyService, str], ...] = tuple(
    (code, SERVICE_LABELS[code]) for code in EMERGENCY_CODES
)
# The category an emergency is filed under when the resident chose none.
EMERGENCY_SUBCLASS: dict[str, str] = {"104": "10.10"}
EMERGENCY_DEFAULT_SUBCLASS = "43.04"

MSG_SERVICE_REQUIRED = N_("Choose the emergency service.")


class EmergencyChoice:
    """The service chosen on the emergency step (none until the resident picks one)."""

    def __init__(self, flow: FlowContext) -> None:
        self._flow = flow
        self.reset()

    def reset(self) -> None:
        self.emergency_service: EmergencyService | None = None

    def choose_service(self, code: str) -> None:
        for key in EMERGENCY_CODES:
            if key == code:
                self.emergency_service = key
                self._flow.errors.pop("service", None)
                self._flow.notify()
                return

    @property
    def call_number(self) -> str:
        return self.emergency_service or "112"

    def service_name(self, code: str | None = None) -> str:
        code = code or self.emergency_service
        return next((name for key, name in EMERGENCY_SERVICES if key == code), "")

    def subclass(self) -> str:
        """The category to file under when none was chosen."""
        return EMERGENCY_SUBCLASS.get(self.emergency_service or "", EMERGENCY_DEFAULT_SUBCLASS)

    def problems(self) -> dict[str, Message]:
        if self.emergency_service is None:
            return {"service": Message(MSG_SERVICE_REQUIRED)}
        return {}
