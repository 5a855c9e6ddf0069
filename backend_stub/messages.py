"""Error and notice texts the server sends, in Kazakh and Russian, chosen by Accept-Language."""

from __future__ import annotations

LANGS = ("kk", "ru")
DEFAULT_LANG = "kk"

MESSAGES: dict[str, dict[str, str]] = {
    "validation_error": {
        "kk": "Деректер дұрыс толтырылмаған. Белгіленген өрістерді тексеріңіз.",
        "ru": "Данные заполнены неверно. Проверьте отмеченные поля.",
    },
    "invalid_phone": {
        "kk": "Қазақстанның ұялы нөмірін енгізіңіз, мысалы +7 701 123 45 67.",
        "ru": "Введите казахстанский мобильный номер, например +7 701 123 45 67.",
    },
    "resend_cooldown": {
        "kk": "Кодты қайта жіберу үшін {retry_after} секунд күтіңіз.",
        "ru": "Повторно отправить код можно через {retry_after} с.",
    },
    "too_many_requests": {
        "kk": "Сұраулар тым көп. {retry_after} секундтан кейін қайталаңыз.",
        "ru": "Слишком много запросов. Повторите через {retry_after} с.",
    },
    "phone_locked": {
        "kk": "Қате әрекеттер тым көп. Кіру уақытша бұғатталды, {retry_after} секундтан кейін"
        " қайталаңыз.",
        "ru": "Слишком много неверных попыток. Вход временно заблокирован, повторите через"
        " {retry_after} с.",
    },
    "invalid_code": {
        "kk": "Код қате. Қалған әрекеттер: {attempts_left}.",
        "ru": "Неверный код. Осталось попыток: {attempts_left}.",
    },
    "code_expired": {
        "kk": "Кодтың мерзімі өтті немесе ол пайдаланылды. Жаңа код сұраңыз.",
        "ru": "Код истёк или уже использован. Запросите новый код.",
    },
    "sms_failed": {
        "kk": "SMS жіберу мүмкін болмады. Біраздан кейін қайталаңыз.",
        "ru": "Не удалось отправить SMS. Повторите позже.",
    },
    "not_authenticated": {
        "kk": "Жүйеге кіріңіз.",
        "ru": "Войдите в систему.",
    },
    "invalid_token": {
        "kk": "Сессия аяқталды. Қайта кіріңіз.",
        "ru": "Сессия истекла. Войдите снова.",
    },
    "forbidden": {
        "kk": "Бұл әрекетке рұқсат жоқ.",
        "ru": "Нет прав на это действие.",
    },
    "not_found": {
        "kk": "Табылмады.",
        "ru": "Не найдено.",
    },
    "invalid_iin": {
        "kk": "ЖСН 12 цифрдан тұруы және бақылау санынан өтуі керек.",
        "ru": "ИИН должен состоять из 12 цифр и пройти проверку контрольной суммы.",
    },
    "unknown_category": {
        "kk": "Мұндай санат жоқ. Анықтамалықтан таңдаңыз.",
        "ru": "Такой категории нет. Выберите из классификатора.",
    },
    "location_required": {
        "kk": "Оқиға орнын көрсетіңіз: геолокация немесе мекенжай.",
        "ru": "Укажите место: геолокацию или адрес.",
    },
    "idempotency_mismatch": {
        "kk": "Бұл сұрау кілті басқа деректермен қолданылған.",
        "ru": "Этот ключ запроса уже использован с другими данными.",
    },
    "idempotency_in_progress": {
        "kk": "Осы сұрау әлі өңделуде. Сәлден соң қайталаңыз.",
        "ru": "Этот запрос ещё обрабатывается. Повторите чуть позже.",
    },
    "invalid_transition": {
        "kk": "«{from_status}» мәртебесінен «{to_status}» мәртебесіне өту мүмкін емес.",
        "ru": "Нельзя перевести обращение из статуса «{from_status}» в «{to_status}».",
    },
    "appeal_not_closed": {
        "kk": "Өтініш әлі жабылған жоқ.",
        "ru": "Обращение ещё не закрыто.",
    },
    "already_rated": {
        "kk": "Бұл өтінішке баға қойылған.",
        "ru": "Это обращение уже оценено.",
    },
    "media_not_yours": {
        "kk": "Тіркелген файл табылмады немесе сізге тиесілі емес.",
        "ru": "Прикреплённый файл не найден или принадлежит не вам.",
    },
    "empty_file": {
        "kk": "Файл бос.",
        "ru": "Файл пустой.",
    },
    "unsupported_media": {
        "kk": "Бұл файл түрі қолданылмайды. JPEG, PNG, WebP, HEIC фото немесе MP4, MOV, WebM"
        " бейне жіберіңіз.",
        "ru": "Этот тип файла не поддерживается. Отправьте фото JPEG, PNG, WebP, HEIC или видео"
        " MP4, MOV, WebM.",
    },
    "media_mismatch": {
        "kk": "Файлдың мазмұны оның атауына немесе түріне сәйкес емес.",
        "ru": "Содержимое файла не соответствует его имени или типу.",
    },
    "image_corrupt": {
        "kk": "Сурет бүлінген немесе толық жүктелмеген.",
        "ru": "Изображение повреждено или загружено не полностью.",
    },
    "image_too_large": {
        "kk": "Сурет тым үлкен (пиксель саны шектен асады).",
        "ru": "Изображение слишком большое (слишком много пикселей).",
    },
    "file_too_large": {
        "kk": "Файл тым үлкен: ең көбі {max_mb} МБ.",
        "ru": "Файл слишком большой: не более {max_mb} МБ.",
    },
    "upload_offset_mismatch": {
        "kk": "Жүктеу орны сәйкес емес. Жүктеуді жалғастыру үшін орынды қайта сұраңыз.",
        "ru": "Смещение загрузки не совпадает. Запросите текущее смещение и продолжите.",
    },
    "upload_incomplete": {
        "kk": "Файл толық жүктелмеген.",
        "ru": "Файл загружен не полностью.",
    },
    "body_too_large": {
        "kk": "Сұрау тым үлкен.",
        "ru": "Запрос слишком большой.",
    },
    "text_invalid": {
        "kk": "Мәтінде рұқсат етілмеген таңбалар бар.",
        "ru": "Текст содержит недопустимые символы.",
    },
    "phone_taken": {
        "kk": "Бұл нөмір басқа тіркелгіде қолданылады.",
        "ru": "Этот номер уже используется в другой учётной записи.",
    },
    "open311_bad_key": {
        "kk": "API кілті жарамсыз.",
        "ru": "Неверный API-ключ.",
    },
    "internal_error": {
        "kk": "Серверде қате шықты. Кейінірек қайталаңыз.",
        "ru": "Ошибка на сервере. Повторите позже.",
    },
}


def pick_language(accept_language: str | None) -> str:
    """The first of kk/ru named in an Accept-Language header, by q-value; kk otherwise."""
    if not accept_language:
        return DEFAULT_LANG
    ranked: list[tuple[float, int, str]] = []
    for pos, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower().split("-")[0]
        if lang in LANGS and q > 0:
            ranked.append((-q, pos, lang))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANG


def message(code: str, lang: str, **params: object) -> str:
    texts = MESSAGES.get(code) or MESSAGES["internal_error"]
    text = texts.get(lang) or texts[DEFAULT_LANG]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text
