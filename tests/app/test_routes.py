"""The route table: deep links, the back stack, the sign-in guard."""

from __future__ import annotations

import pytest

from app import routes
from app.routes import normalize, resolve


def names(stack: tuple[routes.RouteMatch, ...]) -> list[tuple[str, str]]:
    return [(m.name, m.route) for m in stack]


@pytest.mark.parametrize(
    ("raw", "path"),
    [("", "/"), ("/", "/"), ("/cabinet/", "/cabinet"), ("/cabinet?x=1", "/cabinet"),
     ("alerts", "/alerts"), ("/appeals/42#top", "/appeals/42")],
)  # fmt: skip
def test_normalize(raw: str, path: str) -> None:
    assert normalize(raw) == path


@pytest.mark.parametrize(("key", "route"), routes.TABS)
def test_each_tab_has_its_route(key: str, route: str) -> None:
    (match,) = resolve(route, signed_in=True)
    assert match.name == "home"
    assert match.params["tab"] == key
    assert match.route == route


def test_deep_link_to_an_appeal_stacks_on_home_for_the_back_button() -> None:
    stack = resolve("/appeals/42", signed_in=True)
    assert names(stack) == [("home", "/"), ("appeal", "/appeals/42")]
    assert stack[-1].params["appeal_id"] == "42"


def test_appeals_list_alias() -> None:
    assert resolve("/appeals", signed_in=True)[0].params["tab"] == "appeals"


@pytest.mark.parametrize("route", ["/", "/cabinet", "/appeals/42", "/nowhere", "/sign-in"])
def test_signed_out_sees_sign_in_in_place(route: str) -> None:
    assert names(resolve(route, signed_in=False)) == [("sign_in", normalize(route))]


@pytest.mark.parametrize("route", ["/nowhere", "/appeals/abc", "/sign-in"])
def test_signed_in_unknown_or_sign_in_shows_home(route: str) -> None:
    (match,) = resolve(route, signed_in=True)
    assert match.name == "home"
    assert match.params["tab"] == "appeals"


def test_developer_screen_opens_signed_out_too_and_backs_to_the_cabinet() -> None:
    """A tester's build pointed at a wrong server cannot sign in: the screen must open."""
    assert names(resolve(routes.DEVELOPER, signed_in=False)) == [("developer", "/developer")]
    assert names(resolve(routes.DEVELOPER, signed_in=True)) == [
        ("home", "/cabinet"),
        ("developer", "/developer"),
    ]
