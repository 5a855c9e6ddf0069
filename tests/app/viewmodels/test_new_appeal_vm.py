"""The new-appeal view model without any UI: validation in the resident's language, the draft
surviving a restart, location and address, media, similar appeals nearby, the emergency path,
and filing through the appeals repository."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from app.data.repositories.appeal_changes import AppealsChanged
from app.data.repositories.appeal_queries import AppealQueries
from app.data.repositories.appeals import AppealsRepository
from app.data.repositories.outbox import Outbox
from app.data.store.database import Database
from app.domain.appeals import Position
from app.i18n import Translator
from app.viewmodels.new_appeal import (
    EMERGENCY_DEFAULT_SUBCLASS,
    MSG_CATEGORY_REQUIRED,
    MSG_LOCATION_REQUIRED,
    MSG_TEXT_REQUIRED,
)
from tests.app.conftest import FakeBackend
from tests.app.support.new_appeal_fakes import (
    ClassifierServer,
    FakeAppeals,
    FakeGeocoder,
    FakeGeolocator,
    Flow,
    install_routes,
    jpeg_bytes,
    make_flow,
    picked,
    similar_reply,
)

pytestmark = pytest.mark.anyio

SIMILAR = {
    "id": 41, "number": "109-2026-000041", "subclass_code": "24.08", "status": "assigned",
    "address": "Мәңгілік Ел 55", "distance_m": 37.6, "created_at": "2026-07-12T09:30:00+05:00",
    "repeat_count": 2,
}  # fmt: skip


@pytest.fixture
def server(backend: FakeBackend) -> ClassifierServer:
    return install_routes(backend)


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "data" / "media"


@pytest.fixture
def flow(db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path) -> Flow:
    return make_flow(db, backend, media_dir)


async def opened(flow: Flow) -> Flow:
    await flow.vm.open()
    await flow.vm.settle()
    return flow


def fill(flow: Flow) -> None:
    vm = flow.vm
    vm.set_text("Подъезде лифт не работает третий день")
    vm.choose_category("24.08")


# -- opening ----------------------------------------------------------------------------------


async def test_opening_locates_geocodes_and_prefills_the_name(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    assert vm.position == Position(51.128, 71.43, 12.0, "gps")
    assert vm.location_state == "found"
    assert Translator("kk").render(vm.location_message) == "Орын анықталды, дәлдігі ±12 м"
    assert (
        Translator("ru").render(vm.location_message) == "Местоположение определено, точность ±12 м"
    )
    assert vm.address == "Қабанбай батыр даңғылы 11, Астана" and vm.address_source == "geocoded"
    assert flow.geocoder.calls == [(51.128, 71.43, "kk")]
    assert vm.applicant_name == "Айгүл Серікқызы" and vm.phone == "+77011234567"
    assert [a.label for a in vm.saved_addresses] == ["home", "work"]
    assert vm.online is True
    assert flow.classifier.name_of("24.08", "ru") == "Лифт не работает"


async def test_location_unavailable_says_what_to_do(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    backend.routes[("GET", "/api/v1/profile")] = lambda r: httpx.Response(
        200, json={"id": 7, "phone": "+77011234567", "addresses": []}
    )
    flow = await opened(
        make_flow(db, backend, media_dir, geolocator=FakeGeolocator(permission="denied"))
    )
    vm = flow.vm
    assert vm.position is None and vm.location_state == "unavailable"
    assert Translator("ru").render(vm.location_message) == (
        "Доступ к геолокации запрещён. Выберите точку на карте или введите адрес."
    )
    # A point on the map works without tiles: its coordinates are shown.
    await vm.choose_point(51.15, 71.47)
    assert vm.position == Position(51.15, 71.47, None, "map")
    assert Translator("kk").render(vm.coordinates) == "Координаттар: 51.15000, 71.47000"
    assert vm.address == "Қабанбай батыр даңғылы 11, Астана"  # geocoded for the point


async def test_geocoder_unreachable_keeps_the_typed_address(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    geocoder = FakeGeocoder(address=None)
    flow = make_flow(db, backend, media_dir, geocoder=geocoder)
    vm = flow.vm
    vm.set_address("Сарыарқа 31, подъезд 2")
    await opened(flow)
    assert vm.position is not None
    assert vm.address == "Сарыарқа 31, подъезд 2" and vm.address_source == "typed"
    # Even when the service answers later, a typed address is never overwritten.
    geocoder.address = "Somewhere else"
    await vm.locate()
    await vm.choose_point(51.2, 71.4)
    assert vm.address == "Сарыарқа 31, подъезд 2"
    fill(flow)
    await vm.submit()
    assert flow.appeals.filed[0].address == "Сарыарқа 31, подъезд 2"


async def test_saved_address_can_be_picked(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    vm.choose_saved_address(0)
    assert vm.address == "Мәңгілік Ел 55, 12" and vm.address_source == "saved"
    assert vm.position is not None and vm.position.source == "gps"  # a real fix is kept


# -- validation -------------------------------------------------------------------------------


async def test_empty_form_shows_errors_in_the_users_language(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    flow = make_flow(db, backend, media_dir, geolocator=FakeGeolocator(fail=True))
    vm = flow.vm
    await vm.submit()
    assert {k: m.msgid for k, m in vm.errors.items()} == {
        "text": MSG_TEXT_REQUIRED,
        "category": MSG_CATEGORY_REQUIRED,
        "location": MSG_LOCATION_REQUIRED,
    }
    assert Translator("kk").render(vm.errors["text"]) == "Мәселені сипаттаңыз."
    assert Translator("ru").render(vm.errors["category"]) == "Выберите категорию."
    assert Translator("ru").render(vm.form_error) == "Проверьте отмеченные поля."
    assert flow.appeals.filed == []
    vm.set_text("x" * 4001)
    await vm.submit()
    assert Translator("ru").render(vm.errors["text"]) == (
        "Текст слишком длинный: 4001 символ, максимум 4000."
    )
    vm.set_text("Нормальный текст")
    assert "text" not in vm.errors  # fixed as typed
    assert vm.text == "Нормальный текст"  # nothing typed is lost by an error


async def test_typed_address_is_enough_without_a_position(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    flow = make_flow(db, backend, media_dir, geolocator=FakeGeolocator(fail=True))
    vm = flow.vm
    fill(flow)
    vm.set_address("Кенесары 40")
    await vm.submit()
    new = flow.appeals.filed[0]
    assert new.position is None and new.address == "Кенесары 40"


# -- draft ------------------------------------------------------------------------------------


async def test_draft_survives_a_restart(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path, tmp_path: Path
) -> None:
    first = await opened(make_flow(db, backend, media_dir))
    vm = first.vm
    vm.set_text("Аулада қоқыс жиналмай жатыр")
    vm.set_type("complaint")
    vm.choose_category("39.10")
    vm.set_address("Бейбітшілік 10")
    vm.set_share(False)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes())
    await vm.add_picked([picked(photo)])
    assert len(vm.media) == 1 and vm.media[0].thumb
    await asyncio.sleep(0.05)  # the debounced save runs by itself
    await vm.settle()

    # The app is killed and started again: a new view model on the same database.
    second = make_flow(db, backend, media_dir, geolocator=FakeGeolocator(fail=True))
    await opened(second)
    again = second.vm
    assert again.text == "Аулада қоқыс жиналмай жатыр"
    assert (again.type, again.subclass_code) == ("complaint", "39.10")
    assert (again.address, again.address_source) == ("Бейбітшілік 10", "typed")
    assert again.share_personal is False
    assert again.position == Position(51.128, 71.43, 12.0, "gps")  # kept, not re-asked
    assert [m.media.path for m in again.media] == [vm.media[0].media.path]
    assert again.media[0].thumb
    assert second.geolocator.positions_asked == 0

    await again.submit()
    assert second.appeals.filed and again.text == ""
    third = await opened(make_flow(db, backend, media_dir))
    assert third.vm.text == "" and third.vm.media == []  # cleared once filed


async def test_leaving_the_screen_saves_at_once(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    flow = make_flow(db, backend, media_dir)
    flow.vm.set_text("Жарық жоқ")
    await flow.vm.flush()
    other = await opened(make_flow(db, backend, media_dir))
    assert other.vm.text == "Жарық жоқ"


async def test_discarding_the_draft_deletes_its_photos(
    flow: Flow, tmp_path: Path, media_dir: Path
) -> None:
    vm = (await opened(flow)).vm
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes())
    vm.set_text("text")
    await vm.add_picked([picked(photo)])
    assert list(media_dir.iterdir())
    await vm.discard_draft()
    assert vm.text == "" and vm.media == [] and not list(media_dir.iterdir())
    assert vm.position is not None  # where the resident is stays known


# -- suggestions and category -------------------------------------------------------------------


async def test_suggestion_online_then_offline(flow: Flow, backend: FakeBackend) -> None:
    vm = (await opened(flow)).vm
    vm.set_text("Лифт не работает")
    await asyncio.sleep(0.05)
    await vm.settle()
    assert vm.suggestion_source == "server" and vm.suggestions[0].code == "24.08"
    backend.offline = True
    vm.set_text("Аулада қоқыс шығарылмайды, контейнер толы")
    await asyncio.sleep(0.1)
    await vm.settle()  # the suggestion asked of the (offline) server has given up
    assert vm.suggestion_source == "local" and vm.suggestions[0].class_code == "39"
    vm.choose_category(vm.suggestions[0].code)
    assert vm.category is not None and vm.category_name() == vm.suggestions[0].name_kk


async def test_category_search(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    vm.set_category_query("газ жок")
    assert any(s.code == "10.06" for g in vm.search_results for s in g.subclasses)
    vm.choose_category("10.06")
    assert vm.search_results == [] and vm.category_query == ""
    flow.language[0] = "ru"
    assert (vm.category_name(), vm.class_name()) == ("Нет газа", "Газоснабжение")


# -- media ------------------------------------------------------------------------------------


async def test_a_refused_video_says_why_and_nothing_else_is_lost(
    flow: Flow, tmp_path: Path
) -> None:
    vm = (await opened(flow)).vm
    vm.set_text("Су ағып жатыр")
    photo = tmp_path / "ok.jpg"
    photo.write_bytes(jpeg_bytes())
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x00" * 64)
    await vm.add_picked([picked(big, size=150 * 1024 * 1024), picked(photo)])
    assert len(vm.media) == 1 and vm.media[0].name == "ok.jpg"
    assert [Translator("ru").render(m) for m in vm.media_errors] == [
        "Видео big.mp4 больше 100 МБ. Выберите видео покороче."
    ]
    assert vm.text == "Су ағып жатыр"
    await vm.remove_media(0)
    assert vm.media == [] and vm.media_errors == []


async def test_uploaded_temporary_files_are_removed(flow: Flow, tmp_path: Path) -> None:
    vm = (await opened(flow)).vm
    upload = tmp_path / "uploads" / "x" / "1-photo.jpg"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(jpeg_bytes())
    await vm.add_picked([picked(upload, temporary=True)])
    assert len(vm.media) == 1 and not upload.exists()


async def test_at_most_ten_attachments(flow: Flow, tmp_path: Path) -> None:
    vm = (await opened(flow)).vm
    files = []
    for i in range(11):
        p = tmp_path / f"p{i}.jpg"
        p.write_bytes(jpeg_bytes())
        files.append(picked(p))
    await vm.add_picked(files)
    assert len(vm.media) == 10
    assert Translator("kk").render(vm.media_errors[0]) == "Ең көбі 10 фото мен бейне."


# -- filing, similar appeals ----------------------------------------------------------------------


async def test_filing_goes_to_the_appeal_and_sends_what_was_composed(
    flow: Flow, tmp_path: Path
) -> None:
    vm = (await opened(flow)).vm
    fill(flow)
    vm.set_type("incident")
    vm.set_name("Айгүл")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes())
    await vm.add_picked([picked(photo)])
    await vm.submit()
    [new] = flow.appeals.filed
    assert new.text == "Подъезде лифт не работает третий день"
    assert (new.subclass_code, new.type, new.language) == ("24.08", "incident", "kk")
    assert new.position == Position(51.128, 71.43, 12.0, "gps")
    assert new.address == "Қабанбай батыр даңғылы 11, Астана"
    assert (new.share_personal, new.applicant_name) == (True, "Айгүл")
    assert new.emergency is False and new.emergency_service is None
    assert [m.kind for m in new.media] == ["image"]
    assert flow.navigation.history[-1] == "/appeals/client-1"
    assert vm.text == "" and vm.subclass_code is None and vm.media == []
    assert vm.applicant_name == "Айгүл"  # the next appeal is prefilled the same way


async def test_not_sharing_sends_no_name(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    fill(flow)
    vm.set_share(False)
    flow.language[0] = "ru"
    await vm.submit()
    new = flow.appeals.filed[0]
    assert (new.share_personal, new.applicant_name, new.language) == (False, None, "ru")


async def test_similar_appeals_are_offered_when_online(flow: Flow, backend: FakeBackend) -> None:
    backend.routes[("GET", "/api/v1/appeals/similar")] = similar_reply(SIMILAR)
    vm = (await opened(flow)).vm
    fill(flow)
    await vm.submit()
    assert vm.step == "similar" and flow.appeals.filed == []
    assert [a.number for a in vm.similar] == ["109-2026-000041"]
    assert vm.own_similar == set()  # someone else's: number, status, distance only
    assert vm.distance_text(vm.similar[0].distance_m) == "37"
    assert vm.status_name("assigned") == "Assigned"
    [call] = backend.calls("/api/v1/appeals/similar")
    assert call.url.params["subclass_code"] == "24.08" and call.url.params["lat"] == "51.128"
    await vm.open_similar(41)  # not the resident's: nothing opens
    assert "/appeals/41" not in flow.navigation.history
    vm.back_to_form()
    assert vm.step == "form" and vm.text  # still all there
    await vm.submit()
    await vm.send_anyway()
    assert len(flow.appeals.filed) == 1 and vm.step == "form"


async def test_the_residents_own_similar_appeal_can_be_opened(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    backend.routes[("GET", "/api/v1/appeals/similar")] = similar_reply(SIMILAR)
    flow = await opened(make_flow(db, backend, media_dir, appeals=FakeAppeals(own_server_ids={41})))
    fill(flow)
    await flow.vm.submit()
    assert flow.vm.own_similar == {41}
    await flow.vm.open_similar(41)
    assert flow.navigation.history[-1] == "/appeals/41"
    assert flow.appeals.filed == []
    again = await opened(make_flow(db, backend, media_dir))
    assert again.vm.text  # the draft is kept for later


async def test_similar_is_skipped_offline_and_the_appeal_is_queued(
    flow: Flow, backend: FakeBackend
) -> None:
    backend.routes[("GET", "/api/v1/appeals/similar")] = similar_reply(SIMILAR)
    vm = (await opened(flow)).vm
    backend.offline = True
    fill(flow)
    await vm.submit()
    assert vm.step == "form" and len(flow.appeals.filed) == 1
    assert vm.online is False


async def test_a_failed_save_keeps_everything(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    flow = await opened(make_flow(db, backend, media_dir, appeals=FakeAppeals(fail=True)))
    fill(flow)
    await flow.vm.submit()
    assert Translator("ru").render(flow.vm.form_error) == (
        "Не удалось сохранить обращение. Попробуйте ещё раз."
    )
    assert flow.vm.text and flow.vm.busy is False


# -- emergency --------------------------------------------------------------------------------


async def test_emergency_path_files_with_the_service(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    vm.set_text("Подъезде қатты газ иісі шығып тұр")
    vm.start_emergency()
    await vm.settle()
    assert vm.step == "emergency" and vm.online is True
    await vm.send_emergency()
    assert Translator("kk").render(vm.errors["service"]) == "Шұғыл қызметті таңдаңыз."
    assert flow.appeals.filed == []
    vm.choose_service("104")
    assert vm.call_number == "104" and vm.service_name() == "Gas emergency service"
    await vm.send_emergency()
    [new] = flow.appeals.filed
    assert (new.emergency, new.emergency_service) == (True, "104")
    assert new.subclass_code == "10.10"  # gas leak, as no category was chosen
    assert new.position is not None and new.address
    assert flow.navigation.history[-1] == "/appeals/client-1"


async def test_emergency_offline_says_so_and_still_queues(flow: Flow, backend: FakeBackend) -> None:
    vm = (await opened(flow)).vm
    vm.set_text("Үйдің жанында өрт")
    backend.offline = True
    vm.start_emergency()
    await vm.settle()
    assert vm.online is False  # the screen shows "no connection — call 101"
    vm.choose_service("101")
    assert vm.call_number == "101"
    vm.cancel_emergency()
    assert vm.step == "form"
    vm.start_emergency()
    vm.choose_service("112")
    await vm.send_emergency()
    new = flow.appeals.filed[0]
    assert (new.emergency_service, new.subclass_code) == ("112", EMERGENCY_DEFAULT_SUBCLASS)


# -- the real repository: local row + outbox, "waiting to send" -------------------------------


async def test_filing_through_the_appeals_repository(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path, tmp_path: Path
) -> None:
    repo = AppealsRepository(db, Outbox(db), AppealsChanged())
    queries = AppealQueries(db)
    flow = make_flow(db, backend, media_dir)
    flow.vm.submission._appeals = repo  # the composition root wires the real ones the same way
    flow.vm.submission._lookup = queries
    await opened(flow)
    fill(flow)
    photo = tmp_path / "p.jpg"
    photo.write_bytes(jpeg_bytes())
    await flow.vm.add_picked([picked(photo)])
    backend.offline = True
    await flow.vm.submit()
    route = flow.navigation.history[-1]
    client_id = route.rsplit("/", 1)[-1]
    detail = await queries.detail(client_id)
    assert detail is not None
    assert detail.item.sync_state == "pending"  # shown as "waiting to send"
    assert detail.item.subclass_code == "24.08" and detail.lat == 51.128
    assert len(detail.media) == 1


# -- start-up and the profile source ------------------------------------------------------------


async def test_start_revalidates_the_classifier(flow: Flow, server: ClassifierServer) -> None:
    flow.vm.start()
    await flow.vm.settle()
    assert server.full == 1 and flow.vm.online is True
    await opened(flow)  # the form opens later: a 304, nothing downloaded again
    assert server.full == 1 and server.not_modified == 1


async def test_name_and_addresses_come_from_the_cabinets_profile(
    db: Database, backend: FakeBackend, server: ClassifierServer, media_dir: Path
) -> None:
    from types import SimpleNamespace

    from app.errors import NetworkError

    address = SimpleNamespace(label="work", text="Бейбітшілік 10", lat=51.17, lon=71.42,
                              district=None)  # fmt: skip
    local = SimpleNamespace(phone="+77011234567", full_name="Ерлан", addresses=(address,))

    class Profiles:
        refreshed = 0

        def profile(self) -> object:
            return local

        async def refresh(self) -> object:
            self.refreshed += 1
            raise NetworkError("offline")

    flow = make_flow(db, backend, media_dir, geolocator=FakeGeolocator(fail=True))
    flow.vm._applicant.profiles = Profiles()  # type: ignore[attr-defined]
    await opened(flow)
    vm = flow.vm
    assert vm.applicant_name == "Ерлан"
    assert [(a.label, a.text) for a in vm.saved_addresses] == [("work", "Бейбітшілік 10")]
    # No device position and nothing known: the saved address with coordinates is used.
    assert vm.position == Position(51.17, 71.42, None, "address")
    assert vm.address == "Бейбітшілік 10" and vm.address_source == "saved"
    assert Translator("ru").render(vm.location_message) == (
        "Текущее местоположение недоступно: используется ваш сохранённый адрес (Работа)."
    )


async def test_signing_out_forgets_the_draft_in_memory(flow: Flow) -> None:
    vm = (await opened(flow)).vm
    vm.set_text("Жеке мәтін")
    await vm.flush()
    vm.forget()
    assert vm.text == "" and vm.position is None and vm.online is None
    await opened(flow)
    assert vm.text == "Жеке мәтін"  # this test's database was not wiped: the draft comes back
