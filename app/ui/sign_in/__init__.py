"""Screens of sign in."""
