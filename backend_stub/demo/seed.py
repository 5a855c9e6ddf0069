"""Demo data: one staff account of each job (`crud.staff.DEMO_ACCOUNTS`; the password is the
login: operator/operator, executor/executor, supervisor/supervisor), two residents with
home/work addresses, and nine appeals in every status (one overdue, one closed with a result,
"after" photo and rating), with history and chat.

`seed_demo(engine, settings)` is idempotent: people are found by phone, addresses by label and
appeals by their fixed client ids, so a second run adds nothing. Everything goes through the
same crud functions as the API (numbers, deadlines, history, the residents' sync feed); only the
timestamps are moved back afterwards so the demo has a past. The residents and appeals
themselves are data, in `demo.appeal_records`.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta

from PIL import Image, ImageDraw
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from backend_stub.config import Settings
from backend_stub.crud import appeals as appeals_crud
from backend_stub.crud import chat as chat_crud
from backend_stub.crud import media as media_crud
from backend_stub.crud import staff as staff_crud
from backend_stub.crud.users import user_by_phone
from backend_stub.demo.alerts import seed_alerts
from backend_stub.demo.appeal_records import APPEALS, RESIDENTS, DemoAppeal, DemoResident
from backend_stub.demo.notices import seed_notices
from backend_stub.demo.participation import seed_participation
from backend_stub.demo.places import seed_places
from backend_stub.geo import district_for
from backend_stub.models import Address, Appeal, AppealEvent, Message, User, utcnow
from backend_stub.schemas.appeals import AppealCreate
from backend_stub.schemas.chat import MessageIn

log = logging.getLogger("city109.demo")

CLIENT_PREFIX = "demo-appeal-"


# ---------------------------------------------------------------- demo pictures


def demo_picture(kind: str) -> bytes:
    """A small drawn JPEG standing in for a resident's or executor's photo."""
    img = Image.new("RGB", (640, 480), (150, 154, 160))
    draw = ImageDraw.Draw(img)
    if kind in {"pothole", "road_fixed"}:
        draw.rectangle((0, 0, 640, 170), fill=(180, 205, 230))  # sky
        draw.polygon([(0, 480), (640, 480), (420, 170), (220, 170)], fill=(88, 90, 95))
        draw.line([(320, 470), (320, 180)], fill=(235, 235, 235), width=6)
        if kind == "pothole":
            draw.ellipse((180, 330, 420, 420), fill=(45, 40, 38), outline=(30, 28, 26), width=4)
            draw.ellipse((215, 350, 380, 400), fill=(70, 80, 95))  # puddle
    else:  # "rusty_water" / "clean_water": a glass of water
        water = (150, 95, 40) if kind == "rusty_water" else (190, 225, 245)
        draw.rectangle((0, 0, 640, 480), fill=(225, 222, 215))
        draw.polygon(
            [(230, 90), (410, 90), (390, 420), (250, 420)],
            outline=(120, 120, 120),
            width=5,
            fill=(240, 240, 240),
        )
        draw.polygon([(238, 170), (402, 170), (390, 415), (252, 415)], fill=water)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


AFTER_PICTURE = {"pothole": "road_fixed", "rusty_water": "clean_water"}


def _store_picture(db: Session, settings: Settings, owner: User, kind: str) -> str:
    assert owner.id is not None
    media = media_crud.ingest(
        db,
        settings=settings,
        owner_id=owner.id,
        src=io.BytesIO(demo_picture(kind)),
        filename=f"{kind}.jpg",
        content_type="image/jpeg",
    )
    return media.id


# ---------------------------------------------------------------- seeding


def _resident(db: Session, spec: DemoResident) -> User:
    user = user_by_phone(db, phone=spec.phone, language=spec.language, full_name=spec.full_name)
    assert user.id is not None
    labels = {a.label for a in db.exec(select(Address).where(Address.user_id == user.id)).all()}
    for label, text, lat, lon in spec.addresses:
        if label not in labels:
            db.add(
                Address(
                    user_id=user.id,
                    label=label,
                    text=text,
                    lat=lat,
                    lon=lon,
                    district=district_for(lat, lon),
                )
            )
    if not user.notify_districts:
        home = district_for(spec.addresses[0][2], spec.addresses[0][3])
        user.notify_districts = [home] if home else []
        db.add(user)
    return user


def _last_event(db: Session, appeal_id: int) -> AppealEvent:
    event = db.exec(
        select(AppealEvent)
        .where(AppealEvent.appeal_id == appeal_id)
        .order_by(col(AppealEvent.id).desc())
    ).first()
    assert event is not None
    return event


def _seed_appeal(
    db: Session,
    settings: Settings,
    spec: DemoAppeal,
    resident: User,
    operator: User,
    now: datetime,
) -> Appeal:
    # Pictures first: storing one commits, so nothing of the appeal may be pending yet.
    before = _store_picture(db, settings, resident, spec.photo) if spec.photo else None
    closes_with_after = any(s.kind == "close" and s.value == "after" for s in spec.steps)
    after = (
        _store_picture(db, settings, operator, AFTER_PICTURE.get(spec.photo or "", "road_fixed"))
        if closes_with_after
        else None
    )
    data = AppealCreate(
        client_id=f"{CLIENT_PREFIX}{spec.key}",
        text=spec.text,
        type=spec.type,
        subclass_code=spec.subclass_code,
        lat=spec.lat,
        lon=spec.lon,
        accuracy_m=15.0,
        address=spec.address,
        share_personal=spec.share_personal,
        language=spec.language,
        attachment_ids=[before] if before else [],
    )
    appeal = appeals_crud.create_appeal(db, user=resident, data=data).appeal
    db.flush()
    assert appeal.id is not None
    created = now - timedelta(hours=spec.age_h)
    deadline = appeal.due_at - appeal.created_at
    stamped: list[tuple[AppealEvent | Message, datetime]] = [(_last_event(db, appeal.id), created)]
    messages: list[Message] = []
    for step in spec.steps:
        at = created + timedelta(hours=step.at_h)
        if step.kind == "status":
            appeals_crud.change_status(
                db, operator=operator, appeal=appeal, to_status=step.value, note=step.text or None
            )
        elif step.kind == "close":
            appeals_crud.close(
                db,
                operator=operator,
                appeal=appeal,
                result_text=step.text,
                after_media_ids=[after] if after else [],
            )
            appeal.closed_at = at
        elif step.kind == "rate":
            appeals_crud.rate(
                db, user=resident, appeal=appeal, score=int(step.value), comment=step.text or None
            )
            appeal.rated_at = at
        elif step.kind == "msg":
            author = operator if step.value == "operator" else resident
            message = chat_crud.post_message(
                db,
                author=author,
                appeal=appeal,
                data=MessageIn(client_id=f"demo-{spec.key}-{len(messages) + 1}", text=step.text),
            )
            messages.append(message)
            stamped.append((message, at))
            continue
        else:
            raise ValueError(f"unknown demo step {step.kind!r}")
        db.flush()
        stamped.append((_last_event(db, appeal.id), at))
    for row, at in stamped:
        if isinstance(row, Message):
            row.created_at = at
            unread = spec.unread_last and row is messages[-1]
            row.read_at = None if unread else at + timedelta(minutes=5)
        else:
            row.at = at
        db.add(row)
    appeal.created_at = created
    appeal.number = f"109-{created:%y%m}-{appeal.id:06d}"
    appeal.due_at = created + deadline
    appeal.updated_at = stamped[-1][1]
    db.add(appeal)
    return appeal


def seed_staff(db: Session, settings: Settings) -> User:
    """The demo staff accounts that are missing (the operator's `User` is settings.operator_phone,
    the account the demo autopilot acts as); returns the operator's `User`."""
    for login, (role, name, body, phone) in staff_crud.DEMO_ACCOUNTS.items():
        if staff_crud.by_login(db, login=login) is None:
            staff_crud.create(
                db,
                login=login,
                display_name=name,
                role=role,
                body=body,
                password=login,
                phone=phone or settings.operator_phone,
                check_password=False,  # documented dev passwords; production refuses them
            )
    operator = staff_crud.by_login(db, login="operator")
    assert operator is not None
    user = db.get(User, operator.user_id)
    assert user is not None
    log.info("demo: staff accounts operator, executor, supervisor (password = login)")
    return user


def seed_demo(engine: Engine, settings: Settings) -> int:
    """Create the demo people and appeals that are missing; returns how many appeals it added."""
    added = 0
    with Session(engine, expire_on_commit=False) as db:
        operator = seed_staff(db, settings)
        residents = [_resident(db, spec) for spec in RESIDENTS]
        db.commit()
        seed_notices(db)
        seed_places(db)
        db.commit()
        seed_participation(db)
        seed_alerts(db)
        now = utcnow()
        for spec in APPEALS:
            resident = residents[spec.resident]
            exists = db.exec(
                select(Appeal.id).where(
                    Appeal.user_id == resident.id,
                    Appeal.client_id == f"{CLIENT_PREFIX}{spec.key}",
                )
            ).first()
            if exists is not None:
                continue
            try:
                _seed_appeal(db, settings, spec, resident, operator, now)
                db.commit()
                added += 1
            except Exception:
                db.rollback()
                log.exception("demo: appeal %s not seeded", spec.key)
    if added:
        log.info("demo: %d appeals seeded", added)
    return added
