"""What a resident does and sees in the browser tests, waiting only on what is on screen.

Flutter draws on a canvas; its semantics tree (turned on by `open_app`) gives the page DOM nodes
with roles and labels. Every wait here is on that tree: a text or a control showing up or going
away, a field holding what was typed, the tree keeping still. A tap that a redraw swallowed (a
sync landing just then rebuilds the screen) is tapped again by `tap_until`, as a person would —
only when nothing happened, and only while the control is still there. A page whose web client
crashed (WebAssembly errors under CPU pressure, see docs E2E.md) fails at once with that reason.

The demo backend has a flood drill in force for the Yesil district, where `HERE` is: a page that
shares its position gets the drill's banner at a moment of its own after signing in (the app sends
its position then). `sign_in` waits for that banner and acknowledges it, so that it never lands on
a test about something else; tests about alerts may opt out (`drill=False`).
"""

from __future__ import annotations

import contextlib
import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Geolocation, Locator, Page, ViewportSize, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.backend import dev_code, drill_in_force, fresh_phone

HERE: Geolocation = {"latitude": 51.1282, "longitude": 71.4307, "accuracy": 15}  # Astana, Yesil
PHONE_VIEWPORT: ViewportSize = {"width": 412, "height": 915}
UI_TIMEOUT_MS = 60_000  # any wait on the screen (a busy machine draws late, never wrong)
PATIENCE_MS = (10_000, 20_000, 30_000)  # how long a person waits before tapping again
KEY_DELAY_MS = (15, 80, 160)  # between the keys typed, by try
ON_APPEAL = "location.pathname.startsWith('/appeals/') && location.pathname !== '/appeals/new'"
# The "similar appeals nearby" offer is on screen: a semantics node labelled with its button.
SIMILAR_SHOWN = """[...document.querySelectorAll('flt-semantics')].some(e =>
    (e.getAttribute('aria-label') || e.textContent || '').includes('Бәрібір өзімдікін жіберу'))"""
# The demo flood drill's headline (kk, ru) and the button that acknowledges an alert's banner.
DRILL = re.compile(r"ОҚУ-ЖАТТЫҒУ: Есіл өзенінің жағалауында|УЧЕНИЯ: паводковая тренировка")
GOT_IT = re.compile(r"^(Түсіндім|Понятно)$")
# What the web client logs when its WebAssembly crashed: the page will never answer again.
CRASHED = re.compile(r"RuntimeError|memory access out of bounds|unreachable|null function")
_crashes: dict[Page, list[str]] = {}
_positions: dict[Page, bool] = {}  # whether `phone_page` gave the page a position

# True once the semantics tree has kept its size for `quiet` ms (kept in `window`, per page).
TREE_STILL = """([quiet, token]) => {
    const n = document.querySelectorAll('flt-semantics').length;
    const now = performance.now();
    let w = window.__treeStill;
    if (!w || w.token !== token) w = window.__treeStill = {token, n: -1, since: now};
    if (n !== w.n) { w.n = n; w.since = now; return false; }
    return n > 0 && now - w.since >= quiet;
}"""
# How a test fails when its page's web client froze (a renderer that stopped running JavaScript
# under CPU pressure, see docs E2E.md); pyproject's `--only-rerun` runs such a test once more.
FROZEN = "the page's web client froze: it did not answer for {s} s"
ANSWER_MS = 15_000  # how long a page that is alive takes at most to run a line of JavaScript
_still_calls = itertools.count(1)  # each `still` watches the tree afresh (its own token)


# -- the page ------------------------------------------------------------------------------------


LAST_SCREEN_CHARS = 6000


@contextlib.contextmanager
def phone_page(
    browser: Browser, url: str, last_shot: Path, *, position: bool = True, camera: bool = False
) -> Iterator[Page]:
    """A phone-sized page of the app at `url` (kk locale; the browser's fake position unless
    `position=False`; the camera allowed with `camera`); its last screen saved to `last_shot`."""
    permissions = [*(["geolocation"] if position else []), *(["camera"] if camera else [])]
    context = browser.new_context(
        viewport=PHONE_VIEWPORT,
        locale="kk-KZ",
        geolocation=HERE if position else None,
        permissions=permissions,
    )
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    _positions[page] = position
    crashes = _crashes.setdefault(page, [])
    page.on("pageerror", lambda error: crashes.append(str(error)))
    page.on(
        "console", lambda m: m.type == "error" and CRASHED.search(m.text) and crashes.append(m.text)
    )
    try:
        open_app(page, url)
        yield page
    finally:
        with contextlib.suppress(PlaywrightError):
            page.screenshot(path=str(last_shot), timeout=10_000)
        # What a screen reader had of the last screen, in the output pytest shows for a failed
        # test: in CI the screenshot is gone with the machine.
        with contextlib.suppress(PlaywrightError):
            tree = page.locator("body").aria_snapshot(timeout=10_000)
            print(f"the last screen, {page.url} ({last_shot}):\n{tree[:LAST_SCREEN_CHARS]}")
        if crashes:
            print(f"the page's errors: {crashes[:5]}")
        _crashes.pop(page, None)
        _positions.pop(page, None)
        context.close()


def alive(page: Page) -> None:
    """Fail at once if the page's web client crashed: waiting on it would only time out."""
    crashes = [c for c in _crashes.get(page, []) if CRASHED.search(c)]
    if crashes:
        raise AssertionError(f"the page's web client crashed: {crashes[:3]}")


def answering(page: Page) -> None:
    """Fail (a rerun, like a crash) if the page no longer runs JavaScript: every wait on it would
    only time out, and a call without a timeout (`evaluate`) would wait forever."""
    ask(page, "true")


def open_app(page: Page, url: str) -> None:
    """Load the Flutter web client and turn its semantics tree on."""
    page.goto(url)
    placeholder = page.locator("flt-semantics-placeholder")
    placeholder.wait_for(state="attached")
    placeholder.dispatch_event("click")
    page.wait_for_selector("flt-semantics[role]", state="attached")
    still(page)  # the tree is still being built right after it is turned on


def still(page: Page, quiet_ms: int = 300) -> None:
    """Wait until the semantics tree has kept still for `quiet_ms` (a screen finished building).
    Only waits with a deadline: a page that stopped answering fails as frozen."""
    alive(page)
    try:
        page.wait_for_function(TREE_STILL, arg=[quiet_ms, next(_still_calls)], polling=100)
    except PlaywrightTimeout:
        answering(page)  # a tree that never keeps still is a failure of its own
        raise


def settle(page: Page, seconds: float = 0.6) -> None:
    """Before a screenshot: the pointer out of the way (no hover tooltips), the screen still."""
    answering(page)  # the mouse waits for the renderer, with no deadline
    page.mouse.move(1, 1)
    still(page, int(seconds * 1000))


def scroll(page: Page, dy: int, at: tuple[float, float] = (200, 500)) -> None:
    """Scroll the screen under the point `at` by `dy` pixels (down when positive): Flutter
    builds semantics only for what is on screen. The mouse waits for the renderer with no
    deadline, so a frozen page fails first, as frozen (a rerun), instead of hanging the run."""
    answering(page)
    page.mouse.move(*at)
    page.mouse.wheel(0, dy)


def snap(page: Page, path: Path, seconds: float = 0.6) -> None:
    """A screenshot to `path` once the screen has settled (for `seconds`, see `settle`)."""
    settle(page, seconds)
    page.screenshot(path=str(path))


def resize(page: Page, size: ViewportSize) -> None:
    """Set the window's size. A resize waits for the renderer with no deadline, so a frozen
    page fails first, as frozen (a rerun), instead of hanging the run."""
    answering(page)
    page.set_viewport_size(size)


def tall(page: Page, height: int = 2000) -> None:
    """Make the window tall (Flutter draws only what is in it) and let the screen re-lay out."""
    size: ViewportSize = {"width": PHONE_VIEWPORT["width"], "height": height}
    if page.viewport_size != size:
        resize(page, size)
    still(page)


# -- seeing --------------------------------------------------------------------------------------


def visible_text(page: Page, text: str) -> None:
    """Wait until `text` is on screen as a text of its own."""
    alive(page)
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def everywhere(page: Page, text: str) -> Locator:
    """Every node showing `text`: as a text of its own or inside the merged label of a card
    (Flutter merges the texts of a card into one accessible label)."""
    return page.get_by_text(text, exact=False).or_(page.get_by_label(text, exact=False))


def on_screen(page: Page, text: str) -> Locator:
    """The first node showing `text` (see `everywhere`)."""
    return everywhere(page, text).first


def shown(page: Page, text: str, timeout_ms: float = UI_TIMEOUT_MS) -> None:
    """Wait until `text` is on screen (see `on_screen`)."""
    alive(page)
    on_screen(page, text).wait_for(state="visible", timeout=timeout_ms)


def field_value(page: Page, label: str) -> str:
    """What the text field labelled `label` holds: Flutter fills its DOM input once it has
    focus, so focus it and wait for the value to come."""
    field = page.get_by_label(label).first
    field.click()
    with contextlib.suppress(AssertionError):
        expect(field).to_be_focused(timeout=10_000)
    with contextlib.suppress(AssertionError):
        expect(field).not_to_have_value("", timeout=10_000)
    return field.input_value()


# -- doing ---------------------------------------------------------------------------------------


def tap_until(
    page: Page,
    target: Locator | tuple[float, float],
    done: Locator | str,
    *,
    gone: bool = False,
    what: str = "",
) -> None:
    """Tap `target` (a control, or a point (x, y) on the page) until `done` happens: a locator
    shows up (with `gone`: goes away), or a JS expression becomes true. Tapped again only when
    nothing happened for a while and `target` is still there: a redraw landing just then may
    swallow a tap."""
    for attempt, patience in enumerate(PATIENCE_MS):
        alive(page)
        if attempt and _happened(page, done, gone):  # it did happen, just late
            return
        if isinstance(target, tuple):
            answering(page)  # (the mouse has no deadline)
            page.mouse.click(*target)
        elif target.count():
            with contextlib.suppress(PlaywrightError):
                target.first.click(timeout=patience)
        with contextlib.suppress(PlaywrightTimeout):
            if isinstance(done, str):
                page.wait_for_function(done, timeout=patience)
            else:
                done.first.wait_for(state="detached" if gone else "visible", timeout=patience)
            return
    raise AssertionError(f"tapped {what or target} {len(PATIENCE_MS)} times: nothing happened")


def attach(page: Page, target: Locator, path: Path) -> None:
    """Tap `target` until the browser's file chooser opens, and pick `path` in it."""
    for patience in PATIENCE_MS:
        alive(page)
        try:
            with page.expect_file_chooser(timeout=patience) as chooser:
                target.first.click(timeout=patience)
        except PlaywrightTimeout:  # the tap was swallowed: the chooser never opened
            continue
        chooser.value.set_files(str(path))
        return
    raise AssertionError(f"tapped {target} {len(PATIENCE_MS)} times: no file chooser")


def _happened(page: Page, done: Locator | str, gone: bool) -> bool:
    """Whether `done` (see `tap_until`) is the case right now."""
    if isinstance(done, str):
        return bool(ask(page, done))
    return done.count() == 0 if gone else done.first.is_visible()


def ask(page: Page, expression: str, arg: Any = None) -> Any:
    """The value of a JavaScript `expression` on the page — or, given `arg`, of the function
    `expression` called with it — within a deadline (`evaluate` has none: on a page that
    stopped running JavaScript it waits for ever, and the test's timeout then ends the whole
    run): wrapped in an array, the value is truthy, so the wait for it answers at its first
    poll; a page that does not answer fails as frozen (a rerun)."""
    alive(page)
    call = f"(arg) => [({expression})(arg)]" if arg is not None else f"() => [({expression})]"
    try:
        handle = page.wait_for_function(call, arg=arg, timeout=ANSWER_MS)
    except PlaywrightTimeout:
        raise AssertionError(FROZEN.format(s=ANSWER_MS // 1000)) from None
    return handle.json_value()[0]


def send_appeal(page: Page) -> None:
    """Send the new appeal (kk) until the app is on it. The suite's backend is shared: earlier
    tests may have filed appeals near this position, and then the app first offers them
    ("similar appeals nearby"); the resident sends anyway."""
    send = page.get_by_role("button", name="Өтінішті жіберу")
    tap_until(page, send, f"({ON_APPEAL}) || {SIMILAR_SHOWN}", what="Өтінішті жіберу")
    if not ask(page, ON_APPEAL):
        go(page, page.get_by_role("button", name="Бәрібір өзімдікін жіберу"), ON_APPEAL)


def go(page: Page, target: Locator, path: str) -> None:
    """Tap `target` until the app is on `path` (or a JS condition on `location`, if it has one)."""
    where = path if "location" in path else f"location.pathname === {path!r}"
    tap_until(page, target, where, what=f"the way to {path}")


def type_into(
    page: Page, label: str, text: str, *, check: bool = True, exact: bool = False
) -> None:
    """Focus a text field by its label and type like a person (Flutter listens to key input).

    Right after the first frame Flutter may still move focus (autofocus) and replace the DOM
    input, swallowing the keys; so check what arrived and type again if needed (`check=False`
    when typing submits by itself and the field may be gone right after; `exact` when another
    control's name contains the label, e.g. "Хабарлама" and the button "Хабарламаны жіберу").
    """
    for attempt, patience in enumerate(PATIENCE_MS):
        alive(page)
        field = page.get_by_label(label, exact=exact).first
        if attempt:  # keys of the last try may still be on their way: never type over them
            _settled(field, patience)
        field.click()
        with contextlib.suppress(AssertionError):
            expect(field).to_be_focused(timeout=patience)
        page.keyboard.press("Control+A")
        page.keyboard.press("Backspace")
        if attempt:  # the click may have put the caret mid-text: start from an empty field
            with contextlib.suppress(AssertionError):
                expect(field).to_have_value("", timeout=patience)
        # A busy machine drops keys typed fast (the field showed «Қашан шығаасызд» for
        # «Қашан шығарасыздар?»): each try types slower.
        page.keyboard.type(text, delay=KEY_DELAY_MS[attempt])
        if not check:
            return
        with contextlib.suppress(AssertionError):
            expect(page.get_by_label(label, exact=exact).first).to_have_value(
                text, timeout=patience
            )
            return
    found = page.get_by_label(label, exact=exact)
    seen = [found.nth(i).input_value(timeout=1000) for i in range(min(found.count(), 3))]
    raise AssertionError(f"could not type into {label!r}: {text!r} typed, the field holds {seen!r}")


def _settled(field: Locator, patience_ms: float, quiet_s: float = 1.0) -> None:
    """Wait (up to `patience_ms`) until the field's value has not changed for `quiet_s`: a busy
    page may apply typed keys seconds late."""
    deadline = time.monotonic() + patience_ms / 1000
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):
            value = field.input_value(timeout=patience_ms)
            if value != last:
                last, since = value, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
        time.sleep(0.2)


def sign_in(
    page: Page,
    backend_url: str,
    phone: str = "",
    typed: str = "",
    as_shown: str = "",
    *,
    drill: bool = True,
) -> str:
    """Sign in with the dev inbox's code (kk first screen) as `phone` (typed as `typed`, shown
    as `as_shown`; a fresh number if none); lands on the appeals tab. If an earlier test asked
    for this (demo) phone's code just now, the resident asks again after the resend cooldown.
    With `drill` (the default), a page that shares its position with a backend whose demo drill
    is in force waits for the drill's banner and acknowledges it (see `acknowledge_drill`)."""
    if not phone:
        phone, typed, as_shown = fresh_phone()
    type_into(page, "Телефон нөмірі", typed)
    sent = page.get_by_text(f"Кодты {as_shown} нөміріне жібердік.")
    ask = page.get_by_role("button", name="Код алу")
    try:
        tap_until(page, ask, sent, what="Код алу")
    except AssertionError:  # a minute later: the resend cooldown is over
        tap_until(page, ask, sent, what="Код алу")
    code = dev_code(backend_url, phone)
    home = page.get_by_role("tab", name="Өтініштер")
    field = page.get_by_label("SMS-тегі код")
    for patience in (20_000, 40_000):  # six digits submit by themselves; a lost key: again
        if field.count():
            type_into(page, "SMS-тегі код", code, check=False)
        with contextlib.suppress(PlaywrightTimeout):
            home.wait_for(timeout=patience)
            break
    else:
        raise AssertionError(f"signing in as {phone} did not reach the appeals tab")
    if drill and shares_position(page) and drill_in_force(backend_url):
        acknowledge_drill(page)
    return phone


def shares_position(page: Page) -> bool:
    """Whether the page's browser gives the app its position: as `phone_page` made it (asking
    the page, `navigator.permissions.query` through `evaluate`, has no deadline: most likely
    what hung a CI run after sign-in until the test timeout ended it)."""
    return _positions.get(page, False)


def acknowledge_drill(page: Page) -> None:
    """Wait for the demo flood drill's banner (the app sent `HERE`, in the drill's district)
    and acknowledge it; fail if it does not come within the UI timeout."""
    alive(page)
    headline = page.get_by_text(DRILL).or_(page.get_by_label(DRILL))
    try:
        headline.first.wait_for(state="visible")
    except PlaywrightTimeout:
        raise AssertionError(
            f"the demo flood drill's banner did not come within {UI_TIMEOUT_MS // 1000} s of "
            f"signing in, though the page shares a position in its district ({HERE})"
        ) from None
    button = page.get_by_role("button", name=GOT_IT)
    tap_until(page, button, headline, gone=True, what="the drill banner's button")


def dismiss_alert(page: Page) -> None:
    """Close the emergency banner (demo data has an active alert) so screenshots show ours."""
    button = page.get_by_role("button", name=GOT_IT)
    if button.count():  # a banner that stays (another one came) is left for the test to see
        with contextlib.suppress(AssertionError):
            tap_until(page, button, button, gone=True, what="the banner's button")
