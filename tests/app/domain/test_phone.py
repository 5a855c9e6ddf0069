"""Client-side check of Kazakh mobile numbers."""

from __future__ import annotations

import pytest

from app.domain.phone import KZ_MOBILE_CODES, format_phone, normalize_kz_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "+7 701 123 45 67",
        "+77011234567",
        "8 701 123 4567",
        "87011234567",
        "77011234567",
        "+7(701)123-45-67",
        "701 123 45 67",
        "  +7 701 123 45 67  ",
        "8-701-123-45-67",
    ],
)
def test_accepts_what_people_type(raw: str) -> None:
    assert normalize_kz_mobile(raw) == "+77011234567"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "123",
        "+7 701 123 45 6",  # too short
        "+7 701 123 45 678",  # too long
        "+7 916 123 45 67",  # Russian mobile
        "8 7172 12 34 56",  # Astana landline
        "+1 701 123 4567",
        "+7 701 123 45 6a",
        "٧٠١١٢٣٤٥٦٧",  # other scripts' digits
        "+7 750 123 45 67",  # not a mobile range
        "9" * 50,
    ],
)
def test_rejects_everything_else(raw: str) -> None:
    assert normalize_kz_mobile(raw) is None


def test_format_phone() -> None:
    assert format_phone("+77011234567") == "+7 701 123 45 67"
    assert format_phone("whatever") == "whatever"


def test_operator_codes_agree_with_the_server() -> None:
    """The client's list of mobile codes must match what the backend (phonenumbers) accepts."""
    server = pytest.importorskip("backend_stub.phone")
    accepted = set()
    for prefix in range(700, 800):
        try:
            server.normalize_kz_mobile(f"+7{prefix}1234567")
        except server.InvalidPhoneError:
            continue
        accepted.add(str(prefix))
    assert accepted == set(KZ_MOBILE_CODES)
