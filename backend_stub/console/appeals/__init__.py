"""Console pages for appeals: `listing` (/console, the filtered list), `detail` (one appeal's
page), `actions` (its routes under /console/appeals/…: moving it along, replying with a photo,
closing it with a result; and /console/media/…), `names` (the names and badges of appeal
values)."""
