"""The console's HTML kit, what every console page is built with:

- `text`: escaping (`e()`) and formatting (times in Astana, status and district names);
- `widgets`: badges, tables, pagers, chips, options, hidden fields, POST forms;
- `page`: the layout and its CSS, the standard pages, `ConsoleExit` / `ConsoleRoute` /
  `console_router` (a page stops early with a ready response);
- `forms`: posted forms: field types, `FormError`, `refusals`, `once_per_form`.
"""
