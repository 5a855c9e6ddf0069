"""Above the repositories: the one sync engine that drains the outbox, and the refreshers that
pull server data into the store."""
