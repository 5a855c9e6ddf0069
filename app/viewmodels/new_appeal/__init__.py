"""The new-appeal flow's view model, one module per section (see `flow`): what the screen,
the composition root and the tests import."""

from app.viewmodels.new_appeal.attachments import MAX_MEDIA, MediaItem
from app.viewmodels.new_appeal.emergency import EMERGENCY_DEFAULT_SUBCLASS, EMERGENCY_SERVICES
from app.viewmodels.new_appeal.flow import NewAppealViewModel
from app.viewmodels.new_appeal.form import (
    APPEAL_TYPES,
    MAX_TEXT,
    MSG_CATEGORY_REQUIRED,
    MSG_TEXT_REQUIRED,
)
from app.viewmodels.new_appeal.location import MSG_LOCATION_REQUIRED, address_label

__all__ = [
    "APPEAL_TYPES",
    "EMERGENCY_DEFAULT_SUBCLASS",
    "EMERGENCY_SERVICES",
    "MAX_MEDIA",
    "MAX_TEXT",
    "MSG_CATEGORY_REQUIRED",
    "MSG_LOCATION_REQUIRED",
    "MSG_TEXT_REQUIRED",
    "MediaItem",
    "NewAppealViewModel",
    "address_label",
]
