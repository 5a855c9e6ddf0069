"""The personal cabinet: its tab (history, analytics), personal data, saved addresses,
notification settings."""
