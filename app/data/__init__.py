"""The data layer: the local store, the repositories over it, and the adapters to the world
outside (services)."""
