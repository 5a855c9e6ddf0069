"""The Participation tab's words and the pure helpers its screens use: the sections, the names
of poll statuses, initiative and proposal states and categories, the messages of the view model
and of a refused action, a proposal's short name, and the bars of a poll's results chart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from app.data.repositories.participation import VoteError
from app.domain.participation import Poll, Proposal
from app.i18n import N_, Message
from app.viewmodels.item_names import short_name

Section = Literal["polls", "initiatives", "proposals"]
SECTIONS: tuple[tuple[Section, str], ...] = (
    ("polls", N_("Polls")),
    ("initiatives", N_("Initiatives")),
    ("proposals", N_("Proposals")),
)

MSG_OFFLINE_SHOWN = N_("No connection: showing what was saved on this device.")
MSG_VOTE_QUEUED = N_("Your vote is saved and will be sent when the connection is back.")
MSG_VOTE_SENT = N_("Thank you! Your vote is counted.")
MSG_SUPPORT_QUEUED = N_("Your support is saved and will be sent when the connection is back.")
MSG_WITHDRAWAL_QUEUED = N_(
    "Your support is withdrawn on this device and will be sent when the connection is back."
)
MSG_PROPOSAL_QUEUED = N_("Your proposal is saved and will be sent for moderation.")
VOTE_ERRORS: dict[str, str] = {
    "already_voted": N_("You have already voted in this poll."),
    "poll_closed": N_("Voting in this poll has ended."),
    "poll_not_for_you": N_("This poll is for residents of other districts."),
    "choose_an_option": N_("Choose an option."),
    "too_many_choices": N_("Choose at most {max_choices} options."),
    "poll_unknown": N_("This poll is no longer available."),
    "initiative_unknown": N_("This initiative is no longer available."),
    "initiative_closed": N_("This initiative no longer takes support."),
    "proposal_unknown": N_("This proposal is no longer available."),
    "proposal_not_published": N_("Only published proposals can be supported."),
    "empty_text": N_("Describe your proposal."),
    "text_too_long": N_("The text is too long: at most {max} characters."),
    "unknown_category": N_("Choose a category."),
}
MSG_UNKNOWN = N_("Something went wrong. Try again later.")
MSG_NO_POSITION = N_("Could not get your position. Pick the point on the map or type the address.")
MSG_POSITION_DENIED = N_(
    "Access to the location is not allowed. Pick the point on the map or type the address."
)
MSG_PHOTO_ONLY = N_("Attach a photo (not a video).")
MSG_PHOTO_FAILED = N_("Could not take this photo. Try another file.")

POLL_STATUS_NAMES: dict[str, str] = {
    "upcoming": N_("Not started yet"),
    "open": N_("Voting is open"),
    "closed": N_("Voting ended"),
    "draft": N_("Draft"),
}
INITIATIVE_STATE_NAMES: dict[str, str] = {
    "proposed": N_("Proposed"),
    "in_progress": N_("Being carried out"),
    "done": N_("Carried out"),
    "rejected": N_("Not accepted"),
}
PROPOSAL_STATE_NAMES: dict[str, str] = {
    "pending": N_("Under moderation"),
    "published": N_("Published"),
    "rejected": N_("Not accepted"),
}
CATEGORY_NAMES: dict[str, str] = {
    "landscaping": N_("Landscaping"),
    "urban_infrastructure": N_("Urban infrastructure"),
    "transport": N_("Transport"),
    "ecology": N_("Ecology"),
    "social": N_("Social sphere"),
    "other": N_("Other"),
}


def proposal_name(proposal: Proposal) -> str:
    """A proposal's text shortened to name it among others (it has no title)."""
    return short_name(proposal.text)


def vote_error_message(exc: VoteError) -> Message:
    return Message(VOTE_ERRORS.get(exc.code, MSG_UNKNOWN), dict(exc.params))


@dataclass(frozen=True)
class ResultBar:
    """One bar of a poll's results chart."""

    option_id: int
    text_kk: str
    text_ru: str
    count: int
    share: float  # 0..1 of the residents who voted
    mine: bool

    def text(self, lang: str) -> str:
        return self.text_ru if lang == "ru" else self.text_kk


def result_bars(poll: Poll) -> list[ResultBar]:
    """The chart of a poll's results, options in the poll's order (empty when none yet)."""
    if poll.results is None:
        return []
    chosen = set(poll.voted or ())
    by_id = {r.option_id: r for r in poll.results.options}
    bars = []
    for option in poll.options:
        r = by_id.get(option.id)
        bars.append(
            ResultBar(
                option.id,
                option.text_kk,
                option.text_ru,
                r.count if r else 0,
                r.share if r else 0.0,
                option.id in chosen,
            )
        )
    return bars
