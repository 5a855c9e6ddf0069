"""What of an appeal anyone but its applicant and the city may see (order item 33).

Appeals are private by default. Only the applicant (`/api/v1/appeals`), the operators (operator
API and console) and the city's systems (Open311 with the `api_key`) see a whole appeal. Anyone
else — Open311 without the key, another resident's "similar appeals nearby" — sees an appeal only
when it is *publishable*, and then only its category, status, dates, district and a coarsened
location: never its text, address, photos, operator notes or anything about the applicant.

Publishable means it is about a public place, not about a person:

- type `incident` (a consultation, proposal, complaint or gratitude is the person's own business);
- not an emergency (filed as one, or since forwarded to 101–112: a person in danger);
- its class is one of `PUBLIC_CLASSES`: faults of shared infrastructure and public space.
  Left out on purpose: help desk and city services (01, 02), condominium disputes (03), animal
  permits (05), politics and rallies (08), billing and pensions (13, 14), social protection (15),
  consumer disputes (16), health (18), the contact centre (21), education (25), complaints about
  staff (26), public order — crimes, neighbours, homeless people (33), business support (34),
  religion and funerals (36), emergencies (43), epidemiology (47);
- its subclass is not one of `PRIVATE_SUBCLASSES`: within those classes the ones about a
  household (number of residents, meter readings, a socially vulnerable private house, fittings
  inside a flat, connection contracts, fuel for a private house, a bus card), the ones that
  accuse a neighbour (electricity theft, misuse of gas, animal cruelty, insects) or ask for
  CCTV footage, and every "addresses and contacts" subclass (a question, not a place).

A coarsened location is the point snapped to a 0.001° grid (≈ 110 m north–south, ≈ 70 m east–west
in Astana): the building block, not the entrance or the flat.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlmodel import col

from backend_stub import classifier
from backend_stub.models import Appeal
from backend_stub.statuses import AppealType

PUBLIC_TYPE = AppealType.INCIDENT.value

PUBLIC_CLASSES: frozenset[str] = frozenset(
    {
        "04",  # yards
        "06",  # animals in the street (strays, carcasses, pests)
        "07",  # street CCTV
        "09",  # water supply
        "10",  # gas supply
        "11",  # city environment
        "12",  # roads
        "17",  # buildings
        "19",  # trees and lawns
        "20",  # sewerage
        "22",  # manholes
        "23",  # roofs
        "24",  # lifts
        "27",  # public transport
        "28",  # fences, poles, kerbs
        "29",  # ramps
        "30",  # parks
        "31",  # flooding
        "32",  # smells
        "35",  # industrial safety
        "37",  # scooters
        "38",  # street cleaning
        "39",  # household waste
        "40",  # heating
        "41",  # street trade
        "42",  # street lighting
        "44",  # barriers
        "45",  # ecology
        "46",  # power supply
    }
)

PRIVATE_SUBCLASSES: frozenset[str] = frozenset(
    {
        "06.02",  # chipping and vaccinating one's pet
        "06.03",  # cruelty to animals: accuses a neighbour
        "06.04",  # insects: a flat's own trouble
        "07.04",  # CCTV footage asked for: the applicant's own case
        "09.08",  # meter readings
        "09.14",  # number of residents
        "10.04",  # one's gas running out
        "10.05",  # misuse of gas: accuses a neighbour
        "10.07",  # connection contract
        "17.04",  # interior finishing
        "17.07",  # complaint about one's developer
        "17.10",  # shared-construction contract
        "17.14",  # architecture enquiry
        "17.15",  # land relations
        "23.04",  # a private house of socially vulnerable residents
        "27.03",  # a question
        "27.06",  # the transport app
        "27.11",  # one's card balance
        "39.06",  # number of residents
        "40.09",  # fuel for one's house
        "40.10",  # coal for one's house
        "40.11",  # towel rail inside a flat
        "40.12",  # number of residents
        "42.11",  # electricity theft: accuses someone
        "46.05",  # number of residents
        "46.14",  # illegal connection: accuses someone
        "46.15",  # electricity theft: accuses someone
    }
)

COARSE_DECIMALS = 3
COARSE_STEP_DEG = 10.0**-COARSE_DECIMALS


@cache
def private_subclasses() -> frozenset[str]:
    """`PRIVATE_SUBCLASSES` and every "addresses and contacts" subclass of the classifier."""
    contacts = {
        sub.code
        for cls in classifier.load_classifier().classes
        for sub in cls.subclasses
        if sub.name_ru.startswith("Адреса")
    }
    return PRIVATE_SUBCLASSES | contacts


def publishable(appeal: Appeal) -> bool:
    """May its category, status, dates and coarsened location be shown to anyone?"""
    return (
        appeal.type == PUBLIC_TYPE
        and not appeal.emergency
        and appeal.class_code in PUBLIC_CLASSES
        and appeal.subclass_code not in private_subclasses()
    )


def publishable_where() -> list[Any]:
    """`publishable` as SQL conditions on Appeal (to filter before LIMIT)."""
    return [
        Appeal.type == PUBLIC_TYPE,
        col(Appeal.emergency).is_(False),
        col(Appeal.class_code).in_(sorted(PUBLIC_CLASSES)),
        col(Appeal.subclass_code).not_in(sorted(private_subclasses())),
    ]


def snap(degrees: float) -> float:
    """A latitude or longitude snapped to the 0.001° grid."""
    return round(round(degrees / COARSE_STEP_DEG) * COARSE_STEP_DEG, COARSE_DECIMALS)


def coarse(degrees: float | None) -> float | None:
    return None if degrees is None else snap(degrees)


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    return snap(lat), snap(lon)
