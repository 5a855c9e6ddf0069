"""Screens of safety."""
