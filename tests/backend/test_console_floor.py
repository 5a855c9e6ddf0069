"""The console floor (issue 16, part 2): confirmation before an alert or a poll's end, the
alert form's safe default, the appeal list's deadline order and its keyset pages, the live
figures and script, bad input answered with a page, and the Kazakh/Russian switch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from backend_stub.classifier import load_classifier
from backend_stub.config import Settings
from backend_stub.crud import appeal_search
from backend_stub.models import Alert, Appeal, utcnow
from tests.backend.support import console_client
from tests.backend.test_console import file_appeal
from tests.conftest import sign_in


@pytest.fixture
def cclient(settings: Settings) -> Iterator[TestClient]:
    with console_client(settings) as c:
        yield c


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found, f"no {name} on the page"
    return found.group(1)


def subclasses_by_deadline() -> list[str]:
    """One subclass per deadline (24 h, 72 h, 10 days), the shortest first."""
    seen: dict[int, str] = {}
    for cls in load_classifier().classes:
        for sub in cls.subclasses:
            seen.setdefault(sub.deadline_hours, sub.code)
    return [seen[h] for h in sorted(seen)]


def alert_form(page: str, **over: str) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf": hidden(page, "csrf"),
        "client_id": hidden(page, "client_id"),
        "status": "Actual",
        "category": "Met",
        "severity": "Severe",
        "urgency": "Expected",
        "certainty": "Likely",
        "event_kk": "Боран",
        "event_ru": "Буран",
        "headline_kk": "Боран",
        "headline_ru": "Буран",
        "description_kk": "Сипаттама",
        "description_ru": "Описание",
        "instruction_kk": "Үйде болыңыз",
        "instruction_ru": "Оставайтесь дома",
        "area_kk": "Есіл",
        "area_ru": "Есиль",
        "districts": ["yesil"],
        "expires": "2030-07-12T18:00",
    }
    data.update(over)
    return data


def alert_count(client: TestClient) -> int:
    with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
        return len(db.exec(select(Alert)).all())


def test_a_new_alert_is_an_exercise_unless_chosen(cclient: TestClient) -> None:
    page = cclient.get("/console/alerts/new").text
    assert re.search(r'<option value="Exercise" selected>', page)
    assert not re.search(r'<option value="Actual" selected>', page)


def test_a_real_alert_is_sent_only_after_the_question_with_its_reach(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    r = cclient.post(
        "/api/v1/profile/addresses",
        json={"label": "home", "text": "Астана", "lat": 51.128, "lon": 71.43},
        headers=resident,
    )
    assert r.status_code == 201, r.text
    form = alert_form(cclient.get("/console/alerts/new").text)
    asked = cclient.post("/console/alerts", data=form)
    assert asked.status_code == 200 and alert_count(cclient) == 0  # nothing sent yet
    assert "РЕАЛЬНОЕ" in asked.text and "Есиль" in asked.text
    assert "около 1." in asked.text  # the one resident whose address is in the district
    assert 'class="danger" name="confirmed" value="yes"' in asked.text
    # back to the form: filled in as typed, still nothing sent
    edit = cclient.post("/console/alerts", data={**form, "confirmed": "edit"})
    assert edit.status_code == 200 and 'value="Буран"' in edit.text and alert_count(cclient) == 0
    # the red button posts what the question page carried: sent once, however often pressed
    carried = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', asked.text))
    assert carried["client_id"] == form["client_id"]
    sent = cclient.post("/console/alerts", data={**form, "confirmed": "yes"})
    again = cclient.post("/console/alerts", data={**form, "confirmed": "yes"})
    assert sent.status_code == 303 and again.headers["location"] == sent.headers["location"]
    assert alert_count(cclient) == 1


def test_an_exercise_and_a_cancel_ask_first_too(cclient: TestClient) -> None:
    form = alert_form(cclient.get("/console/alerts/new").text, status="Exercise")
    asked = cclient.post("/console/alerts", data=form)
    assert "Учения" in asked.text and "РЕАЛЬНОЕ" not in asked.text
    location = cclient.post("/console/alerts", data={**form, "confirmed": "yes"}).headers[
        "location"
    ]
    page = cclient.get(location).text
    cancel = {"csrf": hidden(page, "csrf"), "client_id": hidden(page, "client_id"), "note": "x"}
    asked = cclient.post(f"{location}/cancel", data=cancel)
    assert asked.status_code == 200 and "Отменить оповещение" in asked.text
    assert alert_count(cclient) == 1
    done = cclient.post(f"{location}/cancel", data={**cancel, "confirmed": "yes"})
    assert done.status_code == 303 and alert_count(cclient) == 2


def test_danger_buttons_are_red(cclient: TestClient) -> None:
    page = cclient.get("/console").text
    rule = re.search(r"button\.danger\{([^}]*)\}", page)
    assert rule and "#b3261e" in rule.group(1) and "#17693a" not in rule.group(1)


def test_the_list_is_sorted_by_deadline_and_pages_by_keyset(cclient: TestClient) -> None:
    resident = sign_in(cclient)
    codes = subclasses_by_deadline()
    for code in [*reversed(codes), *codes]:  # filed longest deadline first
        file_appeal(cclient, resident, subclass=code)
    with Session(cclient.app.state.engine) as db:  # type: ignore[attr-defined]
        late = db.exec(select(Appeal).order_by(Appeal.id.desc())).first()  # type: ignore[union-attr]
        assert late is not None
        late.due_at = utcnow() - timedelta(hours=1)  # overdue: it must come first
        db.add(late)
        db.commit()
        by_due = [a.number for a in db.exec(select(Appeal)).all()]
        due = {a.number: a.due_at for a in db.exec(select(Appeal)).all()}
        kwargs = dict(now=utcnow(), status="", importance="", district="", number="", overdue=False)
        whole = appeal_search.search(db, **kwargs, sort="deadline", limit=100)  # type: ignore[arg-type]
        paged, cursor = [], None
        while True:
            rows = appeal_search.search(db, **kwargs, sort="deadline", after=cursor, limit=2)  # type: ignore[arg-type]
            paged += rows
            if len(rows) < 2:
                break
            cursor = appeal_search.Cursor.parse(appeal_search.Cursor.after(rows[-1]).token())
        assert [a.id for a in paged] == [a.id for a in whole]  # no row repeated or lost
        late_number = late.number
    shown = re.findall(r'data-appeal="([^"]+)"', cclient.get("/console").text)
    assert sorted(shown) == sorted(by_due) and shown[0] == late_number
    assert [due[n] for n in shown] == sorted(due[n] for n in shown)
    newest = re.findall(r'data-appeal="([^"]+)"', cclient.get("/console?sort=newest").text)
    assert newest[0] == late_number and newest != shown


def test_live_figures_change_when_a_resident_files(cclient: TestClient) -> None:
    before = cclient.get("/console/live").json()
    file_appeal(cclient, sign_in(cclient), subclass=subclasses_by_deadline()[0])
    after = cclient.get("/console/live").json()
    assert after["new"] == before["new"] + 1 and after["stamp"] != before["stamp"]
    page = cclient.get("/console")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert '<script src="/console/static/console.js" defer>' in page.text
    assert 'id="live-appeals" data-live-region' in page.text
    script = cclient.get("/console/static/console.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    cclient.cookies.clear()
    assert cclient.get("/console/live").status_code == 303  # not for the signed-out


@pytest.mark.parametrize(
    "query",
    ["number=" + "1" * 40, "before_id=abc", "status=" + "x" * 40, "after=not-a-cursor"],
)
def test_bad_list_queries_get_a_page_not_json(cclient: TestClient, query: str) -> None:
    r = cclient.get(f"/console?{query}")
    assert r.headers["content-type"].startswith("text/html"), r.text
    assert r.status_code in (200, 422) and 'role="alert"' in r.text
    assert "Проверьте поля" in r.text or "Номер" in r.text or "Ссылка" in r.text


def test_a_too_long_form_field_gets_a_page(cclient: TestClient) -> None:
    page = cclient.get("/console").text
    r = cclient.post(
        "/console/alerts/nope/cancel", data={"csrf": hidden(page, "csrf"), "note": "я" * 1200}
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "не более 1000 симв." in r.text


def test_kazakh_and_russian_pages(cclient: TestClient) -> None:
    r = cclient.get("/console/language/kk", params={"back": "/console?sort=newest"})
    assert r.status_code == 303 and r.headers["location"] == "/console?sort=newest"
    page = cclient.get("/console").text
    assert '<html lang="kk">' in page and "Өтініштер" in page and "Сұрыптау" in page
    assert "Хабарландырулар" in page and "Төтенше жағдай ескертулері" in page
    cclient.get("/console/language/ru")
    page = cclient.get("/console").text
    assert '<html lang="ru">' in page and "Экстренные оповещения" in page
    assert "Объявления: работы и события" in page and "Уведомления" not in page
    for evil in ("//evil.example/console", "https://evil.example", "/console/../api/v1"):
        r = cclient.get("/console/language/kk", params={"back": evil})
        assert r.headers["location"] == "/console"
