"""What people like, resolved to France Travail's centres d'intérêt through data (bot/discovery/interests.py).

The sentences here are the team's own development cases; the frozen held-out set
(tests/data/discovery_heldout.yml) is scored by bench/discovery.py, never tuned against.
"""

from __future__ import annotations

import pytest

from bot.discovery.conversation import tools

ANIMALS, NATURE, DRAWING, SPORT, MANUAL, FIGURES, CHILDREN, CARE, TECH, COOKING = \
    "17", "9", "7", "13", "14", "15", "21", "22", "29", "27"


@pytest.fixture(scope="module")
def finder(kb):
    return tools(kb).interests


@pytest.mark.parametrize("text, centre", [
    ("j'adore les animaux, quels métiers ?", ANIMALS),
    ("un métier dehors", NATURE),
    ("j'aime dessiner", DRAWING),           # a longer form of « dessin »
    ("je dessine tout le temps", DRAWING),
    ("g envie d'un metier ac les animo", ANIMALS),  # SMS
    ("j'aime bricoler", MANUAL),             # a typo-distance form of « bricoler »
    ("les chifres ça me plaît", FIGURES),    # one letter missing
    ("ma fille adore s'occuper des enfants", CHILDREN),
    ("je veux aider les gens", CARE),
    ("passionné de jeux vidéo", TECH),
    ("la cuisine", COOKING),
    ("plutôt le sport", SPORT),
])
def test_an_interest_said_in_everyday_words_resolves_to_its_centre(finder, text, centre):
    assert finder.centres_in(text)[:1] == [centre]


@pytest.mark.parametrize("text", [
    "je ne sais pas quoi faire plus tard",
    "tu peux m'aider à trouver un métier ?",
    "je cherche un métier qui me plaît",
])
def test_a_request_that_says_no_interest_resolves_none(finder, text):
    assert finder.centres_in(text) == []


def test_a_negated_interest_is_left_out(finder):
    assert finder.centres_in("je n'aime pas les chiffres") == []
    assert finder.centres_in("nul en maths mais j'adore le sport") == [SPORT]


def test_two_interests_are_both_kept_strongest_first(finder):
    assert set(finder.centres_in("les animaux et la nature")[:2]) == {ANIMALS, NATURE}


def test_the_nlu_entity_and_a_button_code_resolve_too(finder):
    assert finder.centres_in("", ["animaux"]) == [ANIMALS]
    assert finder.centres_in("/discover", ["17"]) == [ANIMALS]


def test_every_centre_of_the_rome_import_has_a_button_in_exactly_one_group(finder):
    grouped = [c for g in finder.groups for c in g.centres]
    assert sorted(grouped, key=int) == sorted(finder.centres, key=int)
    assert len(finder.centres) == 30
    assert all(len(g.centres) <= 5 for g in finder.groups) and len(finder.groups) <= 6
