"""Study length: a fiche's shortest level read from its access text, and a person's limit from theirs."""

from __future__ import annotations

import pytest

from bot.discovery.conversation import tools
from bot.discovery.study import SHORTER


@pytest.fixture(scope="module")
def study(kb):
    return tools(kb).study


@pytest.mark.parametrize("access, level", [
    ("Cet emploi est accessible avec un diplôme de niveau Bac à Bac+3 dans le domaine de l'animation.", "bac"),
    ("Cet emploi est accessible avec un Doctorat en astrophysique (Bac + 8).", "bac+5"),
    ("Ce métier est accessible à partir d'un Bac + 3, conformément au Code de la santé publique.", "bac+3"),
    ("Cet emploi est accessible avec un Bac Pro Commerce ou un BTS MCO.", "bac"),
    ("Ce métier est accessible avec un diplôme de niveau CAP/BEP à Bac en métallerie.", "cap"),
    ("Cet emploi est accessible sans diplôme mais une formation en design est pertinente.", "aucun"),
    ("Un BUT informatique ou une licence.", "bac+3"),
])
def test_a_fiche_s_level_is_the_shortest_its_access_text_names(study, access, level):
    assert study.fiche_rank({"access": [access]}) == study.rank(level)


def test_an_access_text_that_names_no_level_keeps_the_fiche_in_every_list(study):
    rank = study.fiche_rank({"access": ["Cet emploi est accessible avec une formation en art dramatique."]})
    assert rank is None
    assert all(study.open_to(rank, level.rank) for level in study.levels)


def test_the_word_but_is_not_the_diploma(study):
    assert study.fiche_rank({"access": ["Le but est d'accueillir le public."]}) is None


@pytest.mark.parametrize("text, asked", [
    ("sans le bac", "cap"), ("des études plus courtes", SHORTER), ("avec un bac+2 max", "bac+2"),
    ("sans diplôme", "aucun"), ("je veux pas faire de longues études", "bac+2"), ("d'autres idées", None),
])
def test_a_person_s_limit_is_read_from_their_words(study, text, asked):
    assert study.asked_in(text) == asked


def test_most_fiches_get_a_level_from_their_text(kb, study):
    ranks = [study.fiche_rank(f) for f in kb.fiches.values()]
    assert sum(r is not None for r in ranks) / len(ranks) > 0.85
