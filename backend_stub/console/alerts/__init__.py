"""Console pages for emergency alerts (CAP 1.2) under /console/alerts: `routes` (the list, one
alert, publish, update, cancel), `pages` (one alert's page, the new-alert page), `form` (the
alert form), `names` (the names and badges of CAP values)."""
