"""Screens of cabinet."""
