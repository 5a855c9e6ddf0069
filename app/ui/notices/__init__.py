"""Notices of planned and emergency works and events, with the archive and filters."""
