"""The names of CAP 1.2 values on the console's alert pages, in the operator's language
(msgids read through `kit.i18n.Names`: «Жаңарту» / «Обновление», never «(Update)»), and the
badges built from them."""

from __future__ import annotations

from datetime import datetime

from backend_stub.console.kit.i18n import Names
from backend_stub.console.kit.widgets import badge
from backend_stub.crud import alerts as crud
from backend_stub.models import Alert

STATUS_NAMES = Names(
    {
        "Actual": "Actual (a real alert)",
        "Exercise": "Exercise",
        "Test": "Test (CAP status)",
        "System": "System (CAP status)",
        "Draft": "Draft",
    }
)

MSG_TYPE_NAMES = Names(
    {"Alert": "Alert", "Update": "Update of an alert", "Cancel": "Cancellation of an alert"}
)

STATE_NAMES = Names(
    {
        "active": "In force",
        "expired": "Expired (alert)",
        "superseded": "Superseded",
        "cancelled": "Cancelled (alert)",
    }
)
STATE_CLASSES = {"active": "st-closed", "superseded": "st-reassigned", "cancelled": "st-returned"}

SEVERITY_NAMES = Names(
    {
        "Extreme": "Extreme (severity)",
        "Severe": "Severe (severity)",
        "Moderate": "Moderate (severity)",
        "Minor": "Minor (severity)",
        "Unknown": "Unknown (CAP value)",
    }
)

URGENCY_NAMES = Names(
    {
        "Immediate": "Immediate (urgency)",
        "Expected": "Expected (within the hour)",
        "Future": "Future (urgency)",
        "Past": "Past (urgency)",
        "Unknown": "Unknown (CAP value)",
    }
)

CERTAINTY_NAMES = Names(
    {
        "Observed": "Observed (certainty)",
        "Likely": "Likely (> 50 %)",
        "Possible": "Possible (certainty)",
        "Unlikely": "Unlikely (certainty)",
        "Unknown": "Unknown (CAP value)",
    }
)

CATEGORY_NAMES = Names(
    {
        "Met": "Weather",
        "Geo": "Geological (earthquake)",
        "Safety": "Public safety",
        "Security": "Law and order",
        "Rescue": "Rescue work",
        "Fire": "Fire (CAP category)",
        "Health": "Health (CAP category)",
        "Env": "Environment (CAP category)",
        "Transport": "Transport",
        "Infra": "Infrastructure (water, heat, power)",
        "CBRNE": "Chemical or radiation threat",
        "Other": "Other",
    }
)

RESPONSE_NAMES = Names(
    {
        "": "— not given —",
        "Shelter": "Take shelter",
        "Evacuate": "Evacuate",
        "Prepare": "Prepare",
        "Execute": "Follow the instruction",
        "Avoid": "Avoid the area",
        "Monitor": "Follow the messages",
        "AllClear": "All clear",
    }
)

FIELD_NAMES = Names(
    {
        "status": "Status",
        "category": "Category",
        "urgency": "Urgency",
        "severity": "Severity",
        "certainty": "Certainty",
        "expires": "In force until",
        "onset": "Onset",
        "texts": "Texts",
        "areas": "Area (of an alert)",
    }
)

TEXT_NAMES = Names(
    {
        "event": "Event",
        "headline": "Headline",
        "description": "Description",
        "instruction": "Instruction",
    }
)


def status_badge(status: str) -> str:
    name = STATUS_NAMES.get(status, status)
    return badge(name, cls="emergency" if status == "Actual" else "")


def state_badge(alert: Alert, now: datetime) -> str:
    state = crud.state(alert, now)
    return badge(STATE_NAMES[state], cls=STATE_CLASSES.get(state, ""))
