"""Every ROME 4.0 fiche answers every topic from its own text, under its source line, and passes the reply check."""

from __future__ import annotations

import pytest

from bot.answers import Question, compose_answer
from bot.answers import templates as T
from bot.answers.verify import check_composed
from tests.answers.pages import whole_text

TOPICS = list(T.SECTION_OF_INTENT)


@pytest.mark.slow  # 15,770 replies composed and checked: about 30 s
def test_every_fiche_answers_every_topic_with_its_source_and_nothing_unchecked(kb):
    sheet_fiches = {s.rome_fiche for s in kb.sheets.values()}
    problems = []
    for code, fiche in kb.fiches.items():
        if code in sheet_fiches:
            continue  # answered by its hand-made sheet first (tests/answers/test_compose.py)
        for intent in TOPICS:
            question = Question(intent=intent, text=f"/{intent}", jobs=[code])
            reply = compose_answer(kb, question)
            if reply.job != code or fiche["url"] not in reply.text or check_composed(kb, question, reply):
                problems.append((code, intent, reply.text[:120], check_composed(kb, question, reply)))
    assert not problems, problems[:10]


@pytest.mark.parametrize("intent, part", [
    ("ask_definition", lambda f: [f["definition"]]),
    ("ask_missions", lambda f: f["missions"]),
    ("ask_training", lambda f: f["access"]),
    ("ask_career", lambda f: [m["label"] for m in f["mobilities"][:3]]),
])
def test_a_fiche_s_reply_quotes_its_own_text(kb, intent, part):
    fiche = kb.fiches["J1506"]
    text = whole_text(kb, Question(intent=intent, jobs=["J1506"]))  # « Voir plus » included
    assert all(p in text for p in part(fiche)), text


def test_skills_put_core_savoir_faire_first_then_savoir_etre_then_savoirs(kb):
    fiche = kb.fiches["A1504"]
    text = whole_text(kb, Question(intent="ask_skills", jobs=["A1504"]))  # « Voir plus » included
    core = [s["label"] for s in fiche["skills"] if s["kind"] == "savoir_faire" and s["core"]]
    etre = [s["label"] for s in fiche["skills"] if s["kind"] == "savoir_etre"]
    assert text.index(core[0]) < text.index("Savoir-être professionnels :") < text.index(etre[0]) < text.index("Savoirs :")
    # a savoir-faire not marked core is left for the fiche's link
    assert next(s["label"] for s in fiche["skills"] if s["kind"] == "savoir_faire" and not s["core"]) not in text


def test_a_sheet_without_a_topic_answers_it_from_its_rome_fiche_under_each_source(kb):
    reply = compose_answer(kb, Question(intent="ask_conditions", text="et le télétravail ?", aspects=["teletravail"],
                                        context_job="ingenieur-machine-learning"))
    assert "Possibilité de télétravail" in reply.text and "fiche M1889" in reply.text
    assert reply.job == "ingenieur-machine-learning" and "M1889:ask_conditions" in reply.facts
    source = compose_answer(kb, Question(intent="ask_source", context_job=reply.job, last_facts=reply.facts)).text
    assert "France Travail" in source and "M1889" in source


def test_source_after_a_comparison_credits_each_side_with_its_own_source(kb):
    reply = compose_answer(kb, Question(intent="ask_comparison", jobs=["data scientist", "ingé ML"]))
    source = compose_answer(kb, Question(intent="ask_source", context_job=reply.job, last_facts=reply.facts)).text
    assert "Onisep" in source and "Thomas Bodin" in source


def test_two_metiers_no_source_compares_are_said_not_compared_before_each_definition(kb):
    reply = compose_answer(kb, Question(intent="ask_comparison", text="différence entre ingé ML et plombier ?"))
    assert "Mes sources ne comparent pas directement ces deux métiers" in reply.text
    assert "comparaison avec Plombier / Plombière sanitaire" in reply.gaps
    compared = compose_answer(kb, Question(intent="ask_comparison", jobs=["data scientist", "ingé ML"]))
    assert "ne comparent pas" not in compared.text


def test_a_sheet_s_career_is_followed_by_its_fiche_s_mobilities_under_france_travail(kb):
    reply = compose_answer(kb, Question(intent="ask_career", text="comment évoluer ?",
                                        context_job="ingenieur-machine-learning"))
    assert reply.text.index("autodidacte") < reply.text.index("France Travail cite")
    assert kb.fiches["M1889"]["mobilities"][0]["label"] in reply.text and "fiche M1889" in reply.text


def test_the_name_the_person_gave_is_said_again_while_the_conversation_stays_on_its_fiche(kb):
    first = compose_answer(kb, Question(intent="ask_salary", text="Combien gagne un avocat ?"))
    assert "« avocat »" in first.text and first.job_name == "avocat"
    follow = Question(intent="ask_training", text="et il faut quelles études pour le devenir ?", context_job=first.job,
                      context_job_name=first.job_name)
    reply = compose_answer(kb, follow)
    assert reply.text.startswith(f"France Travail range le métier « avocat » dans sa fiche ROME {first.job}")
    assert reply.job_name == "avocat" and check_composed(kb, follow, reply) == []
    other = compose_answer(kb, Question(intent="ask_training", text="et pour un boulanger ?", jobs=["boulanger"],
                                        context_job=first.job, context_job_name="avocat"))
    assert "avocat" not in other.text and other.job_name is None
