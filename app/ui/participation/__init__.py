"""Screens of participation."""
