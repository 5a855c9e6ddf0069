"""View models: plain Python state and actions (no Flet). Screens render them and call them;
listeners are notified on every change. Tests drive them without any UI."""
