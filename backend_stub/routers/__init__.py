"""Thin HTTP routers: parse, call crud, shape the answer."""
