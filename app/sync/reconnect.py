"""How soon the app notices that the network is back: the schedule of the sync engine's probes
while it cannot reach the server (`OutageProbes`).

The engine is the one prober: while offline it runs a pass on this schedule (a pass's first
request is the probe; with nothing to send, one `GET /api/v1/sync`). The first pass that reaches
the server kicks the event stream to reconnect at once (`EventStream.kick`), and the stream's
reconnection asks for another pass — so both are back within one probe interval of the network.

The schedule, by how long the outage has lasted:

- the first 2 minutes: a probe every 1.1–1.5 s, so a network that comes back is seen within
  1.5 s (plus one request) — most phone outages (a lift, a tunnel, Wi-Fi to mobile) end here;
- up to 10 minutes: every 3.75–5 s;
- after that: every 11–15 s, for as long as it lasts.

About 90 probes in the first 2 minutes, 12 a minute up to 10, then 4 a minute. With no network
at all a probe fails on the device without a radio round trip; each is one small request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

JITTER = 0.25  # a probe comes between 75 % and 100 % of its step: never later than the step


@dataclass(frozen=True)
class OutageProbes:
    """Seconds to the next probe, by the outage's age: `steps` of (until age, every) and
    `then` afterwards."""

    steps: tuple[tuple[float, float], ...] = ((120.0, 1.5), (600.0, 5.0))
    then: float = 15.0

    def every(self, outage_s: float) -> float:
        for until, every in self.steps:
            if outage_s < until:
                return every
        return self.then

    def delay(self, outage_s: float, rand: Callable[[], float]) -> float:
        return self.every(outage_s) * (1 - JITTER * rand())
