"""Above the repositories: the one sync engine that drains the outbox and pulls the feed, the
`Syncable` each feature registers on it (appeals, participation and the profile, safety data),
attachment uploads, and the refreshers that pull server data into the store."""
