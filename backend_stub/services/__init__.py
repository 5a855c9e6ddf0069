"""Adapters to the world outside the database: SMS gateway, real-time push, the emergency
services' system (adapter and background worker), media checking and cleaning, CAP XML; and
`steps`, the blocking step of a background loop run in a worker thread to its end."""
