"""Screens of new appeal."""
