"""Screens of appeals."""
