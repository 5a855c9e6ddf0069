"""The hidden developer screen of a tester's build and the version line that opens it."""
