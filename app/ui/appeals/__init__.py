"""Following appeals: the list, one appeal (detail, media, chat, rating, reopening,
complaint), the status banner and before/after photos."""
