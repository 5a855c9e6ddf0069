"""The one "appeals changed" signal of a store: the resident's actions (`AppealsRepository`),
refused-action admin (`RefusedActions`) and the sync merge (`AppealsSync`) all call `changed()`;
the view models that show appeals subscribe to it and re-read `AppealQueries`."""

from __future__ import annotations

from collections.abc import Callable

from app.observable import Observable


class AppealsChanged(Observable):
    """Listeners are notified after any local change to the appeals (a resident's action, or a
    sync merge)."""

    def __init__(self) -> None:
        super().__init__()
        # Called after an action was queued (the sync spine points it at the engine).
        self.on_enqueued: Callable[[], None] | None = None

    def changed(self, *, enqueued: bool = False) -> None:
        """Tell listeners (on the event loop); kick the sync engine after a new action."""
        self.notify()
        if enqueued and self.on_enqueued is not None:
            self.on_enqueued()
