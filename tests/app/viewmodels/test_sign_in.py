"""Sign-in by SMS code, driven through the view model with a fake backend."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest

from app.composition import AppSession
from app.i18n import Message
from app.viewmodels.sign_in import SignInViewModel
from tests.app.conftest import CODE, PHONE, FakeBackend, error

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


async def never(_seconds: float) -> None:
    await asyncio.Event().wait()  # the test ticks by hand


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vm(session: AppSession, clock: Clock) -> Iterator[SignInViewModel]:
    model = SignInViewModel(
        session.auth, session.navigation, session.app.route_after_sign_in,
        clock=clock, sleep=never,
    )  # fmt: skip
    yield model
    model.dispose()


def shown(session: AppSession, message: Message | None) -> str | None:
    return session.translator.render(message)


async def test_malformed_phone_is_refused_locally_in_the_users_language(
    vm: SignInViewModel, session: AppSession, backend: FakeBackend
) -> None:
    vm.set_phone("+7 916 123 45 67")
    await vm.submit_phone()
    assert vm.step == "phone"
    assert shown(session, vm.phone_error) == (
        "Қазақстандық ұялы нөмірді енгізіңіз, мысалы +7 701 123 45 67."
    )
    await session.language.choose("ru")
    assert shown(session, vm.phone_error) == (
        "Введите казахстанский мобильный номер, например +7 701 123 45 67."
    )
    assert vm.phone_text == "+7 916 123 45 67"  # nothing typed is lost
    assert backend.requests == []


async def test_typing_a_valid_number_clears_the_error(vm: SignInViewModel) -> None:
    vm.set_phone("123")
    await vm.submit_phone()
    assert vm.phone_error is not None
    vm.set_phone("8 701 123 45 67")
    assert vm.phone_error is None


@pytest.mark.parametrize("typed", ["+7 701 123 45 67", "8 701 123 4567", "77011234567"])
async def test_code_is_requested_for_the_normalized_number(
    vm: SignInViewModel, backend: FakeBackend, typed: str
) -> None:
    vm.set_phone(typed)
    await vm.submit_phone()
    assert vm.step == "code"
    assert vm.phone == PHONE
    assert backend.body(backend.calls("/api/v1/auth/otp/request")[0]) == {"phone": PHONE}
    assert vm.phone_display == "+7 701 123 45 67"


async def test_resend_countdown_follows_resend_in(
    vm: SignInViewModel, clock: Clock, backend: FakeBackend, session: AppSession
) -> None:
    heard: list[int] = []
    vm.subscribe(lambda: heard.append(vm.resend_in))
    vm.set_phone(PHONE)
    await vm.submit_phone()
    assert vm.resend_in == 60
    assert not vm.can_resend
    assert shown(session, vm.resend_notice) == "Жаңа кодты 60 сек өткен соң сұрауға болады."
    heard.clear()
    clock.t += 1.2
    vm.tick()
    assert vm.resend_in == 59 and heard == [59]
    vm.tick()  # same second: no notification
    assert heard == [59]
    clock.t += 60
    vm.tick()
    assert vm.resend_in == 0 and vm.can_resend and vm.resend_notice is None
    await vm.resend()
    assert len(backend.calls("/api/v1/auth/otp/request")) == 2
    assert vm.resend_in == 60


async def test_cooldown_from_server_goes_to_code_step_with_retry_after(
    vm: SignInViewModel, backend: FakeBackend
) -> None:
    backend.routes[("POST", "/api/v1/auth/otp/request")] = lambda r: error(
        429, "resend_cooldown", headers={"Retry-After": "37"}, retry_after=37
    )
    vm.set_phone(PHONE)
    await vm.submit_phone()
    assert vm.step == "code"
    assert vm.resend_in == 37


async def test_too_many_requests_stays_on_phone_with_minutes(
    vm: SignInViewModel, backend: FakeBackend, session: AppSession
) -> None:
    backend.routes[("POST", "/api/v1/auth/otp/request")] = lambda r: error(
        429, "too_many_requests", headers={"Retry-After": "3600"}
    )
    await session.language.choose("ru")
    vm.set_phone(PHONE)
    await vm.submit_phone()
    assert vm.step == "phone"
    assert shown(session, vm.phone_error) == "Слишком много запросов. Попробуйте через 60 мин."
    assert vm.phone_text == PHONE


async def test_wrong_code_shows_attempts_left_and_keeps_the_code(
    vm: SignInViewModel, session: AppSession
) -> None:
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code("111111")  # 6 digits: submits by itself
    assert vm.step == "code"
    assert vm.code_text == "111111"
    assert shown(session, vm.code_error) == "Код қате. Қалған әрекет саны: 4."
    assert not session.auth.signed_in


async def test_code_input_keeps_digits_only(vm: SignInViewModel) -> None:
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code("12a3")
    assert vm.code_text == "123"
    assert not vm.can_submit_code
    await vm.submit_code()
    assert vm.code_error is not None  # "enter the 6-digit code"


async def test_lockout_blocks_the_code_step(
    vm: SignInViewModel, backend: FakeBackend, session: AppSession, clock: Clock
) -> None:
    backend.routes[("POST", "/api/v1/auth/otp/verify")] = lambda r: error(
        429, "phone_locked", headers={"Retry-After": "3600"}, retry_after=3600
    )
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code("999999")
    assert vm.blocked_for == 3600
    assert not vm.can_submit_code and not vm.can_resend
    assert shown(session, vm.code_error) == (
        "Қате әрекеттер тым көп. Бұл нөмірмен кіру 60 мин бойы бұғатталды."
    )
    clock.t += 3601
    vm.tick()
    assert vm.blocked_for == 0 and vm.can_submit_code


async def test_expired_code(vm: SignInViewModel, backend: FakeBackend, session: AppSession) -> None:
    backend.routes[("POST", "/api/v1/auth/otp/verify")] = lambda r: error(400, "code_expired")
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code("123456")
    assert "Жаңа код сұраңыз" in (shown(session, vm.code_error) or "")


async def test_offline_is_reported_and_nothing_is_lost(
    vm: SignInViewModel, backend: FakeBackend, session: AppSession
) -> None:
    backend.offline = True
    vm.set_phone("8 701 123 45 67")
    await vm.submit_phone()
    assert vm.step == "phone" and not vm.busy
    assert shown(session, vm.phone_error) == (
        "Сервермен байланыс жоқ. Интернетті тексеріп, қайталап көріңіз."
    )
    assert vm.phone_text == "8 701 123 45 67"


async def test_unknown_server_error_shows_the_servers_message(
    vm: SignInViewModel, backend: FakeBackend, session: AppSession
) -> None:
    backend.routes[("POST", "/api/v1/auth/otp/request")] = lambda r: error(
        503, "maintenance", "Техникалық жұмыстар жүріп жатыр."
    )
    vm.set_phone(PHONE)
    await vm.submit_phone()
    assert shown(session, vm.phone_error) == "Техникалық жұмыстар жүріп жатыр."


async def test_success_stores_the_session_and_goes_home(
    vm: SignInViewModel, session: AppSession, make_session: Callable[[], AppSession]
) -> None:
    session.app.resolve("/")  # what the shell does first: not signed in → sign-in at "/"
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code(CODE)
    assert session.auth.signed_in
    assert session.navigation.history == ["/"]
    assert vm.step == "phone" and vm.code_text == "" and vm.phone_text == ""  # ready for next time
    again = make_session()  # the app started again
    assert again.auth.session is not None and again.auth.session.phone == PHONE


async def test_deep_link_opened_before_sign_in_is_opened_after(
    vm: SignInViewModel, session: AppSession
) -> None:
    assert session.app.resolve("/appeals/42")[-1].name == "sign_in"
    vm.set_phone(PHONE)
    await vm.submit_phone()
    await vm.enter_code(CODE)
    assert session.navigation.history == ["/appeals/42"]


async def test_change_number_keeps_the_typed_phone(vm: SignInViewModel) -> None:
    vm.set_phone("8 701 123 45 67")
    await vm.submit_phone()
    vm.change_phone()
    assert vm.step == "phone" and vm.phone_text == "8 701 123 45 67"
    await vm.submit_phone()  # same number while the countdown runs: no new SMS
    assert vm.step == "code"


async def test_busy_flag_while_waiting(vm: SignInViewModel, backend: FakeBackend) -> None:
    states: list[bool] = []
    vm.subscribe(lambda: states.append(vm.busy))
    vm.set_phone(PHONE)
    await vm.submit_phone()
    assert True in states and states[-1] is False


async def test_timer_task_ticks_until_the_countdown_ends(session: AppSession) -> None:
    clock = Clock()

    async def fast_sleep(seconds: float) -> None:
        clock.t += seconds
        await asyncio.sleep(0)

    vm = SignInViewModel(
        session.auth, session.navigation, session.app.route_after_sign_in,
        clock=clock, sleep=fast_sleep,
    )  # fmt: skip
    vm.set_phone(PHONE)
    await vm.submit_phone()
    for _ in range(200):
        await asyncio.sleep(0)
    assert vm.resend_in == 0 and vm.can_resend
    vm.dispose()


async def test_typing_is_never_echoed_back(vm: SignInViewModel) -> None:
    """Screens push text into fields only when the view model rewrote it."""
    start = vm.input_revision
    vm.set_phone("8 701")
    await vm.enter_code("1234")
    assert vm.input_revision == start
    await vm.enter_code("12x4")  # cleaned up: the field must show "124"
    assert vm.input_revision == start + 1
    vm.reset()
    assert vm.input_revision == start + 2
