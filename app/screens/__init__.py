"""Screens: Flet controls only. They render view models and forward user actions to them;
no decisions are made here. `shell.Shell` maps routes to screens and keeps `page.views`."""
