"""Who on the staff may do what: the three jobs, the areas each may read and change, and how
the resident is told who answered.

| area (console page / API)                          | operator | executor          | supervisor |
| -------------------------------------------------- | -------- | ----------------- | ---------- |
| appeals: list, read, move, answer, close           | all      | own body's only   | all        |
| appeals' photos and videos (/console/media)        | yes      | yes               | yes        |
| the language switch, the live counts, static files | yes      | yes (own body's)  | yes        |
| notices, places, initiatives, proposals, emergency | yes      | no                | yes        |
| alerts and polls: read                             | yes      | no                | yes        |
| alerts: publish, update, cancel; polls: any change | no       | no                | yes        |
| staff accounts (/console/staff)                    | no       | no                | yes        |

An executor asking for another body's appeal gets 404, as for one that does not exist. A path
no row names is open to operators and supervisors only.
"""

from __future__ import annotations

from dataclasses import dataclass

OPERATOR = "operator"  # the 109 contact centre
EXECUTOR = "executor"  # a responsible body's staff (Appendix 5)
SUPERVISOR = "supervisor"  # alerts, polls, accounts
ROLES = (OPERATOR, EXECUTOR, SUPERVISOR)

ALL = frozenset(ROLES)
DESK = frozenset({OPERATOR, SUPERVISOR})
CHIEF = frozenset({SUPERVISOR})


@dataclass(frozen=True)
class Area:
    prefix: str  # a path, or a path and everything under it
    read: frozenset[str]
    write: frozenset[str]

    def covers(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix.rstrip("/") + "/")


AREAS = (
    Area("/console/staff", CHIEF, CHIEF),
    Area("/console/alerts", DESK, CHIEF),
    Area("/console/participation/polls", DESK, CHIEF),
    Area("/console/appeals", ALL, ALL),
    Area("/console/media", ALL, ALL),
    Area("/console/logout", ALL, ALL),
    Area("/console/language", ALL, ALL),
    Area("/console/live", ALL, ALL),  # its counts are the executor's body's (console.live)
    Area("/console/static", ALL, ALL),
    Area("/api/v1/operator/appeals", ALL, ALL),
    Area("/api/v1/operator/alerts", DESK, CHIEF),
    Area("/api/v1/operator/polls", DESK, CHIEF),
)
CONSOLE_HOME = "/console"  # the appeal list: every role (an executor's is their body's)


def may(role: str, path: str, *, write: bool) -> bool:
    """Whether a staff member of `role` may read (GET) or change (anything else) `path`."""
    if path in (CONSOLE_HOME, CONSOLE_HOME + "/"):
        return role in ALL
    for area in AREAS:
        if area.covers(path):
            return role in (area.write if write else area.read)
    return role in DESK


ROLE_NAMES = {  # the job, as the console and the resident's app name it
    OPERATOR: {"kk": "109 операторы", "ru": "оператор 109"},
    EXECUTOR: {"kk": "орындаушы", "ru": "исполнитель"},
    SUPERVISOR: {"kk": "109 супервайзері", "ru": "супервайзер 109"},
}


def public_title(role: str, body_name: str | None, lang: str) -> str:
    """Who answered, as the resident is told: the job (and an executor's body), never a name."""
    name = ROLE_NAMES.get(role, ROLE_NAMES[OPERATOR])[lang if lang == "ru" else "kk"]
    return f"{name}: {body_name}" if role == EXECUTOR and body_name else name
