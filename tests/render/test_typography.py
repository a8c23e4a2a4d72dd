"""French typography of replies: a table of cases, and what it must leave alone."""

from __future__ import annotations

import pytest

from bot.render.typography import NARROW_NBSP as N, NBSP as S, french, plain_spaces

CASES = [
    ("Bonjour ! Que voulez-vous savoir ?", f"Bonjour{N}! Que voulez-vous savoir{N}?"),
    ("Vraiment?!", f"Vraiment{N}?!"),
    ("Oui ; non", f"Oui{N}; non"),
    ("Source : France Travail", f"Source{S}: France Travail"),
    ("Réponse: oui", f"Réponse{S}: oui"),
    ("« data scientist »", f"«{S}data scientist{S}»"),
    ("«mot»", f"«{S}mot{S}»"),
    ("il dit « et après ? »", f"il dit «{S}et après{N}?{S}»"),
    ("2 660 € par mois", f"2{N}660{S}€ par mois"),
    ("444 900 personnes, 12 %", f"444{N}900 personnes, 12{S}%"),
    ("1 584 fiches", f"1{N}584 fiches"),
    ("50 k€ brut par an", f"50{S}k€ brut par an"),
    ("(voir plus) ?", f"(voir plus){N}?"),
    ("ça va ?\nBien.", f"ça va{N}?\nBien."),
]

UNTOUCHED = [
    "https://www.onisep.fr/recherche?q=data:science",  # an address keeps its : and ?
    "rendez-vous à 10:30",  # a time
    "fiche M1855, en 2018",
    "- Savoir-faire",
    "Bac + 2",
]


@pytest.mark.parametrize("text, typeset", CASES)
def test_french_spaces(text, typeset):
    assert french(text) == typeset


@pytest.mark.parametrize("text", UNTOUCHED)
def test_what_french_typography_leaves_alone(text):
    assert french(text) == text


@pytest.mark.parametrize("text", [case for case, _ in CASES] + UNTOUCHED)
def test_typesetting_twice_changes_nothing(text):
    assert french(french(text)) == french(text)


def test_an_address_inside_a_sentence_is_kept_whole():
    text = "Source : France Travail, https://candidat.francetravail.fr/metierscope/fiche-metier/M1855 ?"
    assert "https://candidat.francetravail.fr/metierscope/fiche-metier/M1855" in french(text)
    assert french(text).startswith(f"Source{S}: ")


def test_plain_spaces_undoes_only_the_spaces():
    assert plain_spaces(french("Combien ? « 2 660 € »")) == "Combien ? « 2 660 € »"
