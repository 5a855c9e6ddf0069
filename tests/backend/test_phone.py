"""Kazakhstan mobile numbers: normalisation to E.164 and masking."""

from __future__ import annotations

import pytest

from backend_stub.phone import InvalidPhoneError, mask_phone, normalize_kz_mobile

E164 = "+77011234567"


@pytest.mark.parametrize(
    "raw",
    [
        "+77011234567",
        "+7 701 123 45 67",
        "+7 701 123 4567",
        "8 701 123 4567",
        "8 701 123 45 67",
        "87011234567",
        "77011234567",
        "7 701 123 45 67",
        "+7(701)123-45-67",
        "+7 (701) 123-45-67",
        "8(701)1234567",
        "8-701-123-45-67",
        "+7.701.123.45.67",
        "  +7 701 123 45 67  ",
        "+7\u00a0701\u00a0123\u00a045\u00a067",  # no-break spaces from a copy-paste
        "701 123 45 67",  # the national number alone, as typed after a fixed "+7" prefix
        "7011234567",
    ],
)
def test_accepted_formats_give_the_same_e164(raw: str) -> None:
    assert normalize_kz_mobile(raw) == E164


@pytest.mark.parametrize(
    "prefix",
    ["700", "701", "702", "705", "706", "707", "708", "747", "771", "775", "776", "777", "778"],
)
def test_kz_mobile_prefixes(prefix: str) -> None:
    assert normalize_kz_mobile(f"8 {prefix} 123 45 67") == f"+7{prefix}1234567"
    assert normalize_kz_mobile(f"+7 {prefix} 123 45 67") == f"+7{prefix}1234567"


@pytest.mark.parametrize(
    "raw",
    [
        # Kazakhstan landlines (Astana 7172, Almaty 727, Karaganda 7212)
        "8 7172 21 23 45",
        "+7 7172 212345",
        "8 727 250 12 34",
        "+7 7212 41 00 00",
        # Russian numbers share country code 7
        "+7 916 123 45 67",
        "8 916 123 45 67",
        "+7 495 123 45 67",
        "+7 812 123 45 67",
        # Unallocated / non-mobile KZ ranges
        "+7 703 123 45 67",
        "+7 709 123 45 67",
        "+7 751 123 45 67",  # VoIP
        # Too short / too long
        "+7 701 123 45 6",
        "8 701 123 456",
        "701 123 45",
        "+7 701 123 45 678",
        "8 701 123 45 678",
        "877011234567",
        # Wrong country code or trunk prefix
        "+8 701 123 45 67",
        "+1 701 123 45 67",
        "97011234567",
        "+998 90 123 45 67",
        "007 701 123 45 67",
        "810 7 701 123 45 67",
        # Letters and other junk
        "+7 701 ABC 45 67",
        "+7 701 123 45 6O",
        "+7 701 123 45 67 ext 1",
        "phone",
        "+7 701 123 45 67;+7 702 123 45 67",
        "+7 701 123 45 67, +7 702 123 45 67",
        "++77011234567",
        "7+7011234567",
        "+7 701 123 45 67+",
        "＋７７０１１２３４５６７",  # full-width
        "+٧٧٠١١٢٣٤٥٦٧",  # Arabic-Indic digits
        "",
        "   ",
        "+",
        "+7 " + "0" * 100,
    ],
)
def test_rejected(raw: str) -> None:
    with pytest.raises(InvalidPhoneError):
        normalize_kz_mobile(raw)


def test_invalid_phone_error_is_a_value_error() -> None:
    assert issubclass(InvalidPhoneError, ValueError)
    with pytest.raises(ValueError):
        normalize_kz_mobile("+7 916 123 45 67")


def test_non_string_is_rejected() -> None:
    with pytest.raises(InvalidPhoneError):
        normalize_kz_mobile(77011234567)  # type: ignore[arg-type]


def test_mask_phone() -> None:
    assert mask_phone("+77011234567") == "+7 701 *** ** 67"
    assert mask_phone("+77770000109") == "+7 777 *** ** 09"


@pytest.mark.parametrize(
    "value", ["", "12", "+7701", "not a phone", "+4915112345678", "77011234567"]
)
def test_mask_phone_never_raises_and_hides_the_middle(value: str) -> None:
    masked = mask_phone(value)
    assert masked.startswith("***")
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 4:
        assert masked == "***" + digits[-2:]
        assert digits not in masked
    else:
        assert masked == "***"
