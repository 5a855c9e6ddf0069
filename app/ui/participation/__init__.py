"""Polls, city initiatives and proposals."""
