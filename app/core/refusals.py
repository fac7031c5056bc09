"""Every sentence with which the assistant declines to answer, in one table."""

from __future__ import annotations

MAX_NAMES_SHOWN = 5  # a refusal names at most this many words the documents lack: a longer list reads as noise

REFUSALS = {
    "empty": "Please type a question.",
    "too_long": "This question is {length} characters long; please ask it in at most {limit} characters.",
    "language": (
        "The sources are in English and answers are given in English; your question seems to be in {language}. "
        "Here is what the sources say:"
    ),
    "unknown_names": "The documents in this corpus do not mention {names}, so they cannot answer this.",
    "names_not_in_evidence": "The documents do not discuss {names} in connection with this question.",
    "nothing_found": "Nothing in the corpus matches this question.",
    "not_answered": "The documents in this corpus do not answer this question.",
    "no_figure": "The documents give no figure for this.",
    "no_figure_for": "The documents give no figure for “{part}”.",
    "no_name": "The documents name no {kind} for this.",
    "no_name_for": "The documents name no {kind} for “{part}”.",
    "only_planned": (
        "The documents speak of this only as planned, under way or undecided when they were written (“{quote}”); they do not "
        "report what came of it."
    ),
    "opinion": (
        "Joined-Up has no opinion of its own: it reports what the sources say, each claim cited. "
        "Ask what the sources say about it instead."
    ),
    "after_sources": ("The sources were published up to {latest}; they cannot say anything about {years}."),
    "guard_removed_all": "The documents in this corpus do not support an answer to this question.",
}


def refusal(reason: str, **details: str) -> str:
    """The sentence for one reason to decline, with its details filled in."""
    return REFUSALS[reason].format(**details)
