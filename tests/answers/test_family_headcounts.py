"""« ça recrute ? » about a métier known by its ROME fiche: its families' headcounts, said as the past."""

from __future__ import annotations

import random
import re

from bot.answers import Question, compose_answer
from bot.answers.family_headcounts import trend
from bot.answers.verify import check_composed
from bot.render.links import plain

HEADCOUNT_LINE = re.compile(r"^- Famille « [^»]+ » : environ [\d ]+ personnes en emploi en \d{4}, [\d ]+ en \d{4} "
                            r"\((en hausse|en baisse|à peu près stable)\)\.$", re.MULTILINE)
NO_FORECAST = "Ces chiffres décrivent le passé"


def outlook(kb, text, **kw):
    question = Question(intent="ask_outlook", text=text, **kw)
    return question, compose_answer(kb, question)


def test_a_fiche_s_outlook_gives_its_families_headcounts_its_tags_and_no_forecast(kb):
    question, reply = outlook(kb, "il y a de l'avenir comme infirmière ?")
    assert reply.job == "J1506"
    assert ("- Famille « Infirmiers » : environ 444 900 personnes en emploi en 2004, 618 700 en 2018 (en hausse)."
            in reply.text)
    assert "transition démographique" in reply.text  # the ROME tag that bears on it
    assert NO_FORECAST in reply.text and "ne fait pas de prévision" in reply.text
    shown, _ = plain(reply.text)  # as the API writes its links: « title (address) »
    assert "Source : Dares" in shown and "Source : France Travail, ROME 4.0, fiche J1506 « " in shown
    assert check_composed(kb, question, reply) == []


def test_the_closest_family_comes_first_and_a_fall_is_said(kb):
    _, reply = outlook(kb, "ça recrute les plombiers ?")
    assert reply.text.index("Plombiers, chauffagistes") < reply.text.index("Ouvriers non qualifiés du second œuvre")
    assert "119 300 en 2018 (en baisse)" in reply.text


def test_thirty_fiches_at_random_say_each_family_s_years_and_pass_the_reply_check(kb):
    seed = random.randrange(10**6)
    own = {s.rome_fiche for s in kb.sheets.values()}
    for code in random.Random(seed).sample(sorted(c for c in kb.fiches if c not in own), 30):
        question, reply = outlook(kb, "/ask_outlook", jobs=[code])
        assert len(HEADCOUNT_LINE.findall(reply.text)) <= 3, (seed, code, reply.text)
        assert NO_FORECAST in reply.text or not kb.salary_families(code), (seed, code, reply.text)
        assert "recrutera" not in reply.text and "va augmenter" not in reply.text
        assert check_composed(kb, question, reply) == [], (seed, code, reply.text)


def test_where_the_figures_come_from_names_the_families_counted(kb):
    _, reply = outlook(kb, "ça recrute ?", jobs=["A1101"])
    question = Question(intent="ask_source", text="tu tiens ça d'où ?", last_facts=reply.facts, context_job="A1101")
    source = compose_answer(kb, question)
    assert "Les effectifs de la famille « Conducteurs d'engins agricoles ou forestiers » viennent de la Dares" in source.text
    assert check_composed(kb, question, source) == []


def test_a_few_per_cent_either_way_is_stable():
    assert trend(100.0, 103.0) == "flat" and trend(100.0, 96.0) == "flat"
    assert trend(100.0, 120.0) == "up" and trend(100.0, 80.0) == "down"


def test_salary_facets_the_dares_does_not_distinguish_are_gaps_for_the_report(kb):
    reply = compose_answer(kb, Question(intent="ask_salary", text="et en senior à Lyon ?", jobs=["F1603"],
                                        experience_level="senior", region="Lyon"))
    assert "salaire d'un profil senior" in reply.gaps and "salaire pour Lyon" in reply.gaps
