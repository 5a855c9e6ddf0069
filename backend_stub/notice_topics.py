"""The fixed list of notice topics (advance notification, SPEC Appendix 2), in Kazakh and Russian.

Residents choose among these codes in their profile (`notify_topics`); operators file every
notice under one of them.
"""

from __future__ import annotations

TOPICS: dict[str, dict[str, str]] = {
    "water": {"kk": "Сумен жабдықтау", "ru": "Водоснабжение"},
    "heating": {"kk": "Жылумен жабдықтау", "ru": "Теплоснабжение"},
    "power": {"kk": "Электрмен жабдықтау", "ru": "Электроснабжение"},
    "gas": {"kk": "Газбен жабдықтау", "ru": "Газоснабжение"},
    "roads": {"kk": "Жолдар мен жол жөндеу", "ru": "Дороги и ремонт дорог"},
    "sewerage": {"kk": "Кәріз және су бұру", "ru": "Канализация и водоотведение"},
    "transport": {"kk": "Қоғамдық көлік", "ru": "Общественный транспорт"},
    "events": {"kk": "Қоғамдық іс-шаралар", "ru": "Общественные мероприятия"},
    "other": {"kk": "Басқа", "ru": "Другое"},
}


def is_topic(code: str) -> bool:
    return code in TOPICS
