"""The Russian and Kazakh names of CAP 1.2 values on the console's alert pages, and the
badges built from them."""

from __future__ import annotations

from datetime import datetime

from backend_stub.console.kit.widgets import badge
from backend_stub.crud import alerts as crud
from backend_stub.models import Alert

STATUS_NAMES = {
    "Actual": ("Реальное", "Нақты"),
    "Exercise": ("Учения", "Оқу-жаттығу"),
    "Test": ("Тест", "Тест"),
    "System": ("Системное", "Жүйелік"),
    "Draft": ("Черновик", "Жоба"),
}

MSG_TYPE_NAMES = {"Alert": "Оповещение", "Update": "Обновление", "Cancel": "Отмена"}

STATE_NAMES = {
    "active": ("Действует", "Күшінде", "st-closed"),
    "expired": ("Истекло", "Мерзімі өтті", ""),
    "superseded": ("Заменено", "Ауыстырылды", "st-reassigned"),
    "cancelled": ("Отменено", "Күші жойылды", "st-returned"),
}

SEVERITY_NAMES = {
    "Extreme": "Чрезвычайная",
    "Severe": "Высокая",
    "Moderate": "Средняя",
    "Minor": "Низкая",
    "Unknown": "Неизвестно",
}

URGENCY_NAMES = {
    "Immediate": "Немедленно",
    "Expected": "Ожидается (в течение часа)",
    "Future": "В будущем",
    "Past": "Уже прошло",
    "Unknown": "Неизвестно",
}

CERTAINTY_NAMES = {
    "Observed": "Наблюдается",
    "Likely": "Вероятно (> 50 %)",
    "Possible": "Возможно",
    "Unlikely": "Маловероятно",
    "Unknown": "Неизвестно",
}

CATEGORY_NAMES = {
    "Met": "Погода",
    "Geo": "Геологическое (землетрясение)",
    "Safety": "Общественная безопасность",
    "Security": "Охрана порядка",
    "Rescue": "Спасательные работы",
    "Fire": "Пожар",
    "Health": "Здоровье",
    "Env": "Экология",
    "Transport": "Транспорт",
    "Infra": "Инфраструктура (вода, тепло, свет)",
    "CBRNE": "Химическая, радиационная угроза",
    "Other": "Другое",
}

RESPONSE_NAMES = {
    "": "— не указано —",
    "Shelter": "Укрыться",
    "Evacuate": "Эвакуироваться",
    "Prepare": "Подготовиться",
    "Execute": "Выполнить инструкцию",
    "Avoid": "Избегать района",
    "Monitor": "Следить за сообщениями",
    "AllClear": "Отбой",
}

FIELD_NAMES = {
    "status": "Статус",
    "category": "Категория",
    "urgency": "Срочность",
    "severity": "Опасность",
    "certainty": "Достоверность",
    "expires": "Действует до",
    "onset": "Начало",
    "texts": "Тексты",
    "areas": "Зона",
}

TEXT_NAMES = {
    "event": "Событие",
    "headline": "Заголовок",
    "description": "Описание",
    "instruction": "Инструкция",
}


def status_badge(status: str) -> str:
    ru, kk = STATUS_NAMES.get(status, (status, ""))
    return badge(ru, kk, "emergency" if status == "Actual" else "")


def state_badge(alert: Alert, now: datetime) -> str:
    ru, kk, cls = STATE_NAMES[crud.state(alert, now)]
    return badge(ru, kk, cls)
