"""The client's IIN check agrees with the server's, digit for digit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.iin import clean_iin, iin_check_digit, is_valid_iin
from backend_stub import iin as server

VALID = ["901231405679", "900101300811", "000229500018", "870707412340", "750415209871"]


@pytest.mark.parametrize("iin", VALID)
def test_valid_iins_and_their_neighbours(iin: str) -> None:
    assert is_valid_iin(iin)
    for digit in "0123456789":
        if digit != iin[-1]:
            assert not is_valid_iin(iin[:-1] + digit)


@pytest.mark.parametrize(
    "bad", ["", "90123140567", "9012314056790", "90123140567x", "901231 405679", "901331405679"]
)
def test_malformed(bad: str) -> None:
    assert not is_valid_iin(bad)


def test_clean_drops_spaces_and_dashes() -> None:
    assert clean_iin(" 901231 405-679 ") == "901231405679"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_same_verdict_as_the_server(value: str) -> None:
    assert is_valid_iin(value) == server.is_valid_iin(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_same_check_digit_as_the_server(first: str) -> None:
    assert iin_check_digit(first) == server.iin_check_digit(first)
