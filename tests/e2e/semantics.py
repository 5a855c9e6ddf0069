"""Reading Flutter's semantics tree in Chromium as a screen reader would, for the semantics walk
(`test_semantics_e2e.py`).

`INTERACTIVE` is one JS function that returns every interactive node of the page (a role a
screen reader offers to act on, or a node the keyboard reaches with tabindex=0), and every
other node with a label of its own (read as it is met: only checked for saying it twice), with
the role and the accessible name Chromium computes (`computedRole`/`computedName`, given by the
blink feature `BROWSER_FLAG`; without it, the `aria-label` or the text), the label of its nearest
labelled ancestor and a short path. `problems` turns one screen's nodes into readable failures:
a nameless node, a name read twice ("X X", or the same as the labelled node around it), and one
name given to two items of one list (`same_list`: shelter cards whose buttons all say "Route"),
while the same action in the alert's banner and in the page below it is no list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from playwright.sync_api import Page

from tests.e2e.resident import ask

# Makes `Element.computedName`/`computedRole` (what Chromium's accessibility tree holds) readable.
BROWSER_FLAG = "--enable-blink-features=ComputedAccessibilityInfo"

ROLES = (
    "button", "tab", "link", "textbox", "checkbox", "radio", "slider", "menuitem", "combobox",
    "switch", "searchbox", "spinbutton", "menuitemcheckbox", "menuitemradio", "option",
)  # fmt: skip

INTERACTIVE = """roles => {
    const host = document.querySelector('flt-semantics-host');
    if (!host) return [];
    const wanted = new Set(roles);
    const clean = s => (s || '').replace(/\\s+/g, ' ').trim();
    const roleOf = e => e.computedRole || e.getAttribute('role')
        || (e.tagName === 'INPUT' || e.tagName === 'TEXTAREA' ? 'textbox' : '');
    const nameOf = e => clean(e.computedName !== undefined ? e.computedName
        : (e.getAttribute('aria-label') || e.textContent));
    const own = e => clean(e.getAttribute('aria-label'));
    const nodes = [];
    for (const e of host.querySelectorAll('flt-semantics, input, textarea')) {
        const role = roleOf(e);
        const interactive = wanted.has(role) || e.getAttribute('tabindex') === '0';
        if (!interactive && !own(e)) continue;  // a label of its own is read too
        let labelled = '';
        const path = [];
        const chain = [[e.id || e.tagName, role]];
        for (let a = e.parentElement; a && a !== host; a = a.parentElement) {
            chain.unshift([a.id, a.getAttribute('role') || '']);
            const label = own(a);
            if (label && !labelled) labelled = label;
            const r = a.getAttribute('role');
            if ((label || r) && path.length < 3)
                path.unshift(`${r || 'node'}"${label.slice(0, 40)}"`);
        }
        nodes.push({role: role || (interactive ? 'focusable' : 'label'), interactive,
                    name: interactive ? nameOf(e) : own(e), labelled,
                    disabled: e.getAttribute('aria-disabled') === 'true',
                    path: path.join(' > ') || '/', chain});
    }
    return nodes;
}"""


@dataclass(frozen=True)
class Node:
    """One interactive node as a screen reader meets it."""

    role: str
    interactive: bool  # else a label read on its own (e.g. a map marker's)
    name: str
    labelled: str  # the label of the nearest labelled node around it ("" for none)
    disabled: bool
    path: str
    chain: tuple[tuple[str, str], ...]  # (id, role) from the top of the tree down to the node

    def __post_init__(self) -> None:
        object.__setattr__(self, "chain", tuple(tuple(c) for c in self.chain))


def read_nodes(page: Page) -> list[Node]:
    """The interactive nodes on the page now, and the other labels read (see `INTERACTIVE`)."""
    raw: list[dict[str, Any]] = ask(page, INTERACTIVE, list(ROLES))
    return [Node(**n) for n in raw]


def read_twice(name: str) -> bool:
    """Whether a name says the same thing twice ("Sync now Sync now")."""
    words = name.split()
    half = len(words) // 2
    return len(words) >= 2 and len(words) % 2 == 0 and words[:half] == words[half:]


def same_list(a: Node, b: Node) -> bool:
    """Whether two nodes are items of one list: below the node they share, each stands in an
    item of the same shape (a card and a card, a button and a button), not one in a banner's
    row and the other right in the page."""
    shared = 0
    while shared < min(len(a.chain), len(b.chain)) and a.chain[shared] == b.chain[shared]:
        shared += 1
    item_a, item_b = a.chain[shared:], b.chain[shared:]
    return bool(item_a) and len(item_a) == len(item_b) and item_a[0][1] == item_b[0][1]


def problems(where: str, nodes: list[Node]) -> list[str]:
    """What a screen reader user would trip over on one screen (`where`: route and language)."""
    found = []
    for n in nodes:
        node = f"{where}: {n.role}{' (disabled)' if n.disabled else ''} {n.name!r} at {n.path}"
        if n.interactive and not n.name:
            found.append(f"no name — {node}")
        elif read_twice(n.name) or n.name == n.labelled:
            found.append(f"read twice — {node}")
    named: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n in nodes:
        if n.interactive and n.name:
            named[n.role, n.name].append(n)
    for (role, name), same in named.items():
        alike = {n.chain for pair in combinations(same, 2) if same_list(*pair) for n in pair}
        if alike:
            found.append(f"{len(alike)} {role}s in one list named {name!r} — {where}")
    return found
