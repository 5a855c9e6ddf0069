"""What a screen reader meets on the Participation tab and in the appeal chat: every button
named on itself, once, and the buttons of a list saying which item they act on (support,
withdraw, open the photo). Built without a page, in Kazakh and Russian."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import flet as ft
import pytest

from app.composition import AppSession
from app.data.store.models import LocalInitiative, LocalProposal
from app.domain.participation import Proposal
from app.ui.participation.tab import ParticipationPanel
from app.viewmodels.participation import proposal_name
from tests.app.support.sync_harness import jpeg_file
from tests.app.ui.test_cabinet_screens import signed_in
from tests.app.ui.test_screens import walk

pytestmark = pytest.mark.anyio

TITLES = {1: ("Жағалауды көгалдандыру", "Озеленение набережной"),
          2: ("Аулаларды жарықтандыру", "Освещение дворов")}  # fmt: skip


def seed(session: AppSession, photo: Path) -> None:
    now = datetime.now(UTC)
    with session.db.session() as s:
        for i, (kk, ru) in TITLES.items():
            data = {"id": i, "title_kk": kk, "title_ru": ru, "state": "proposed",
                    "support_count": 3, "supported": i == 1}  # fmt: skip
            s.add(LocalInitiative(id=i, data_json=json.dumps(data), state="proposed",
                                  updated_at=now))  # fmt: skip
        s.add(LocalProposal(key="own", mine=True, text="Скамейки у поликлиники",
                            category="landscaping", created_at=now, sync_state="pending",
                            photo_path=str(photo)))  # fmt: skip
        s.commit()


def button_names(panel: ft.Control) -> list[str]:
    """The name each button takes from its text's `semantics_label` (or its text)."""
    names = []
    for c in walk(panel):
        if isinstance(c, ft.FilledTonalButton | ft.TextButton | ft.FilledButton):
            text = c.content
            if isinstance(text, ft.Text):
                names.append(text.semantics_label or text.value or "")
    return names


@pytest.mark.parametrize("lang", ["kk", "ru"])
async def test_support_and_withdraw_buttons_name_their_initiative(
    session: AppSession, tmp_path: Path, lang: str
) -> None:
    await signed_in(session)
    seed(session, jpeg_file(tmp_path))
    session.translator.set_language(lang)
    vm = session.participation
    await vm.reload_local()
    vm.select_section("initiatives")
    panel = ParticipationPanel(session.translator, vm)
    panel.build()
    title = {i: t[0] if lang == "kk" else t[1] for i, t in TITLES.items()}
    withdraw, support = ("Қолдауды қайтарып алу", "Қолдау") if lang == "kk" else (
        "Отозвать поддержку", "Поддержать")  # fmt: skip
    names = button_names(panel.body)
    assert f"{withdraw}: {title[1]}" in names  # supported: it can be withdrawn
    assert f"{support}: {title[2]}" in names
    assert len(names) == len(set(names))  # no two buttons of the list share a name


async def test_a_proposal_photo_is_a_named_button(session: AppSession, tmp_path: Path) -> None:
    await signed_in(session)
    photo = jpeg_file(tmp_path)
    seed(session, photo)
    vm = session.participation
    vm.select_section("proposals")
    await vm.reload_local()
    await vm.photos.load(vm.my_proposals)
    panel = ParticipationPanel(session.translator, vm)
    panel.build()
    [thumb] = [c for c in walk(panel.body) if isinstance(c, ft.IconButton)]
    assert isinstance(thumb.icon, ft.Image) and thumb.icon.src == photo.read_bytes()
    assert thumb.icon.semantics_label == "Фотоны ашу: Скамейки у поликлиники"
    assert thumb.tooltip is None  # named once: on the button, not again beside it


def test_a_long_proposal_is_named_by_its_beginning() -> None:
    fields = {f: None for f in Proposal.__dataclass_fields__}
    short = Proposal(**{**fields, "text": "Скамейки  у\nполиклиники"})  # type: ignore[arg-type]
    assert proposal_name(short) == "Скамейки у поликлиники"
    long = Proposal(**{**fields, "text": "Аулаға " * 30})  # type: ignore[arg-type]
    name = proposal_name(long)
    assert len(name) <= 60 and name.endswith("…") and name.startswith("Аулаға Аулаға")
