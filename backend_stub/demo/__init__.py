"""Demo mode only (`--demo`): seed data (`seed`, with `alerts` and `participation`), the
autopilot that moves demo appeals along, and the simulator of the emergency services' system."""
