"""Screens: Flet controls only, one package per feature. They render view models and forward the
resident's actions to them; no decisions are made here. `shell.Shell` maps routes to screens and
keeps `page.views`; `kit` holds what every screen shares."""
