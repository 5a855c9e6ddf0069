"""Kazakhstan IIN validation.

The valid IINs below were checked by hand, e.g. 901231 4 0567 9:
digits 9,0,1,2,3,1,4,0,5,6,7 × weights 1..11 = 9+0+3+8+15+6+28+0+45+60+77 = 251; 251 mod 11 = 9.
And 900101 3 0081 1, where the first pass gives 10 (131 mod 11) and the second pass
(weights 3..11,1,2) gives 27+0+0+6+0+8+27+0+0+8+2 = 78; 78 mod 11 = 1.
"""

from __future__ import annotations

import pytest

from app.domain.iin import clean_iin, iin_check_digit, is_valid_iin

VALID = [
    "901231405679",  # 1990-12-31, 1900s female (4)
    "900101300811",  # check digit from the second pass
    "900101300823",  # second pass again
    "000229500018",  # 2000-02-29 (leap year), 2000s male (5)
    "050630501233",  # 2005-06-30, 2000s male
    "870707412340",  # check digit 0
    "991231600012",  # 6 → 2000s: 2099-12-31 (a future date is still well-formed)
    "010101100018",  # 1801-01-01, 1800s male (1)
    "750415209871",  # 1875-04-15, 1800s female (2)
]


@pytest.mark.parametrize("iin", VALID)
def test_valid_iins(iin: str) -> None:
    assert is_valid_iin(iin)


@pytest.mark.parametrize("iin", VALID)
def test_every_other_check_digit_is_rejected(iin: str) -> None:
    for digit in "0123456789":
        if digit != iin[-1]:
            assert not is_valid_iin(iin[:-1] + digit)


def test_check_digit_examples() -> None:
    assert iin_check_digit("90123140567") == 9
    assert iin_check_digit("90010130081") == 1
    assert iin_check_digit("87070741234") == 0


def test_both_passes_ten_means_no_valid_iin() -> None:
    # 8,5,0,1,0,2,3,0,0,1,2: first pass 87 mod 11 = 10, second pass 98 mod 11 = 10.
    assert iin_check_digit("85010230012") is None
    assert iin_check_digit("90010130080") is None
    for digit in "0123456789":
        assert not is_valid_iin("85010230012" + digit)
        assert not is_valid_iin("90010130080" + digit)


def test_check_digit_needs_eleven_digits() -> None:
    with pytest.raises(ValueError):
        iin_check_digit("1234567890")
    with pytest.raises(ValueError):
        iin_check_digit("1234567890a")


def _with_check_digit(first_eleven: str) -> str:
    digit = iin_check_digit(first_eleven)
    assert digit is not None
    return first_eleven + str(digit)


@pytest.mark.parametrize(
    "first_eleven",
    [
        "90133140567",  # month 13
        "90003140567",  # month 00
        "90123240567",  # day 32
        "90120040567",  # day 00
        "90023140567",  # 31 February
        "00022930001",  # 1900-02-29: 1900 is not a leap year
        "01022950001",  # 2001-02-29
        "90043140567",  # 31 April
    ],
)
def test_bad_date_is_rejected_even_with_a_correct_check_digit(first_eleven: str) -> None:
    assert not is_valid_iin(_with_check_digit(first_eleven))


@pytest.mark.parametrize("century_digit", "0789")
def test_century_digit_outside_one_to_six_is_rejected(century_digit: str) -> None:
    for check_digit in "0123456789":
        assert not is_valid_iin("901231" + century_digit + "0567" + check_digit)


@pytest.mark.parametrize(
    "value",
    ["", "90123140567", "9012314056790", "9012314056", "0" * 11, "1" * 13],
)
def test_wrong_length_is_rejected(value: str) -> None:
    assert not is_valid_iin(value)


@pytest.mark.parametrize(
    "value",
    [
        "90123140567a",
        "9012314O5679",  # letter O
        " 901231405679",
        "901231405679 ",
        "901231-405679",
        "+01231405679",
        "-01231405679",
        "９０１２３１４０５６７９",  # full-width digits
        "٩٠١٢٣١٤٠٥٦٧٩",  # Arabic-Indic digits
    ],
)
def test_non_digits_are_rejected(value: str) -> None:
    assert not is_valid_iin(value)


def test_non_string_is_rejected() -> None:
    assert not is_valid_iin(901231405679)  # type: ignore[arg-type]
    assert not is_valid_iin(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "90123140567", "9012314056790", "90123140567x", "901231 405679", "901331405679"]
)
def test_malformed(bad: str) -> None:
    assert not is_valid_iin(bad)


def test_clean_drops_spaces_and_dashes() -> None:
    assert clean_iin(" 901231 405-679 ") == "901231405679"
