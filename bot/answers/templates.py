"""Boussole's own French sentences (not facts), read from data: the topic table
(data/answers/topics.yml) and the reply frames (data/answers/frames.yml).

Facts come from the knowledge only; these frames only frame them. `fill` notes
every frame used, for the reply check's log and the operator's report.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Iterator, Optional, Union

import yaml

from bot.answers.topics import ANSWERS_DIR, load_topics

FRAMES_FILE = ANSWERS_DIR / "frames.yml"


def _load_frames(path: Path) -> dict[str, Any]:
    frames = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(frames, dict):
        raise ValueError(f"{path}: expected a mapping of frame names to French sentences")
    return frames


FRAMES: dict[str, Any] = _load_frames(FRAMES_FILE)
TOPICS = load_topics()

# Views of the topic table, by intent or by sheet section.
SECTION_OF_INTENT = {t.intent: t.section for t in TOPICS.topics}
SECTION_INTRO = {t.section: t.intro for t in TOPICS.topics}
SECTION_LABEL = {t.section: t.label for t in TOPICS.topics}
PARAGRAPH_SECTIONS = {t.section for t in TOPICS.topics if t.layout == "paragraph"}
ROME_INTRO = {t.intent: t.rome_intro for t in TOPICS.topics}
# How a topic is named in a clarifying question, and on its button.
TOPIC_CHOICE = {**{t.intent: (t.choice, t.button) for t in TOPICS.topics},
                **{intent: (c.choice, c.button) for intent, c in TOPICS.choices.items()}}
# Buttons offered after an answer (title, intent).
SUGGESTIONS = [(t.button, t.intent) for t in TOPICS.topics if t.suggested] + \
    [(c.button, intent) for intent, c in TOPICS.choices.items() if c.suggested]
GAP_FACETS: dict[str, str] = FRAMES["GAP_FACETS"]


def __getattr__(name: str) -> Any:
    """A frame as a module attribute (T.UNCHECKED_REPLY)."""
    try:
        return FRAMES[name]
    except KeyError:
        raise AttributeError(name) from None


def gaps(used: list[tuple[str, dict]]) -> list[str]:
    """The facets the source lacks, from the (frame, fields) pairs a reply was framed with."""
    facets = []
    for name, fields in used:
        # A table's entry (« DARES_ASKED[region] ») may be a gap when the table is not.
        facet = GAP_FACETS.get(name) or GAP_FACETS.get(name.split("[", 1)[0])
        if facet is not None:
            facets.append(facet.format(**fields))
    return list(dict.fromkeys(facets))


_used: ContextVar[Optional[list]] = ContextVar("boussole_templates_used", default=None)


def fill(name: str, key: Union[str, int, None] = None, /, **fields) -> str:
    """Frame `name` (entry `key` of a table), filled; noted for the reply check's log."""
    table = globals().get(name) if name.isupper() and name in globals() else FRAMES[name]
    template = table if key is None else table[key]
    used = _used.get()
    if used is not None:
        used.append((name if key is None else f"{name}[{key}]", fields))
    return template.format(**fields)


@contextmanager
def recording() -> Iterator[list]:
    """Collect the (frame, fields) pairs filled inside the block."""
    token = _used.set([])
    try:
        yield _used.get()
    finally:
        _used.reset(token)
