"""Salaries of the métiers known by their ROME fiche: the Dares' family medians, said as such."""

from __future__ import annotations

import random
import re

import pytest

from bot.answers import Question, compose_answer
from bot.answers.verify import check_composed

# A Dares line names who, what, how, when and where from; « un boulanger gagne 1 558 € » never.
FAMILY_LINE = re.compile(r"Les salariés à temps complet de la famille « [^»]+ » gagnaient un salaire médian "
                         r"de [\d ]+ € net par mois en \d{4}-\d{4}\.")
FORBIDDEN = re.compile(r"(le salaire d'une? |gagne [\d ]+ €|\bgagnent? [\d ]+ €)", re.IGNORECASE)


def salary(kb, text, **kw):
    question = Question(intent="ask_salary", text=text, **kw)
    return question, compose_answer(kb, question)


def test_a_fiche_s_salary_is_its_families_medians_with_their_labels_and_caveats(kb):
    question, reply = salary(kb, "combien gagne un plombier ?")
    assert ("Les salariés à temps complet de la famille « Plombiers, chauffagistes » gagnaient un salaire médian "
            "de 1 800 € net par mois en 2017-2019.") in reply.text
    assert reply.text.index("Plombiers, chauffagistes") < reply.text.index("Ouvriers non qualifiés du second œuvre")
    assert "Ce n'est pas un salaire de débutant" in reply.text and "la moitié des salariés" in reply.text
    assert "Source : Dares, Portrait statistique des métiers (enquêtes Emploi de l'Insee), 2017-2019" in reply.text
    assert "ne donne pas de salaire" in reply.text and reply.job == "F1603"
    assert check_composed(kb, question, reply) == []


def test_fifty_fiches_at_random_say_each_figure_with_its_labels_and_never_as_the_metier_s(kb):
    seed = random.randrange(10**6)
    own = {s.rome_fiche for s in kb.sheets.values()}
    codes = random.Random(seed).sample(sorted(c for c in kb.fiches if c not in own), 50)
    for code in codes:
        question, reply = salary(kb, "/ask_salary", jobs=[code])
        families = kb.salary_families(code)
        assert len(FAMILY_LINE.findall(reply.text)) == len(families) <= 3, (seed, code, reply.text)
        assert not FORBIDDEN.search(reply.text), (seed, code, reply.text)
        assert all("€" in line and "net" in line and "médian" in line for line in reply.text.splitlines() if "€" in line)
        assert check_composed(kb, question, reply) == [], (seed, code)


def test_a_sheet_keeps_its_own_figure_and_a_fiche_beside_it_is_said_not_comparable(kb):
    _, reply = salary(kb, "combien gagne un data scientist ou un boulanger ?")
    assert reply.text.index("2 660") < reply.text.index("Boulangers, pâtissiers")
    assert "ne se comparent pas tels quels" in reply.text and "Source : Dares" in reply.text


@pytest.mark.parametrize("text, first, second", [
    ("combien gagne un plombier ou un électricien ?", "Plombiers, chauffagistes", "Électriciens du bâtiment"),
])
def test_two_fiches_each_get_their_closest_family(kb, text, first, second):
    _, reply = salary(kb, text)
    assert reply.text.index(first) < reply.text.index(second) and "Ce n'est pas un salaire de débutant" in reply.text
    assert not FORBIDDEN.search(reply.text)


@pytest.mark.parametrize("intent, text, kw, said, unsaid", [
    # The NLU leans out of scope on « et à Lyon ? »: a region alone after a salary asks the salary again.
    ("out_of_scope", "et à Lyon ?", {"region": "Lyon"}, "ne distingue pas les régions", "Je ne peux pas"),
    ("ask_salary", "et en senior ?", {"experience_level": "senior"}, "ne distingue pas l'ancienneté", "par an"),
    ("ask_salary", "c'est brut ou net ?", {"aspects": ["brut", "net"]}, "je ne les convertis pas en brut",
     "Les montants de la Dares sont des salaires nets."),
    ("ask_salary", "par mois ou par an ?", {"aspects": ["mensuel", "annuel"]}, "par mois, pas par an", "(par mois)"),
])
def test_a_salary_follow_up_is_answered_from_the_figures_labels(kb, intent, text, kw, said, unsaid):
    ranking = [(intent, 0.8), ("ask_salary", 0.1)]
    question = Question(intent=intent, text=text, context_job="J1506", context_topic="ask_salary", ranking=ranking,
                        **kw)
    reply = compose_answer(kb, question)
    assert said in reply.text and unsaid not in reply.text and "« Infirmiers »" in reply.text, reply.text
    assert check_composed(kb, question, reply) == []
