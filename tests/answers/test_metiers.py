"""Several métiers in one knowledge base: which one, switching, comparing, the index."""

from __future__ import annotations

import json

import pytest

from bot.answers import Question, compose_answer
from bot.answers.verify import check_composed
from bot.text import fold

ML = "ingenieur-machine-learning"


def ask(kb, intent, text="", **kw):
    question = Question(intent=intent, text=text, **kw)
    reply = compose_answer(kb, question)
    assert not check_composed(kb, question, reply), reply.text  # what the action would refuse to send
    return reply


def has(text, *words):
    return all(fold(w) in fold(text) for w in words)


def test_a_topic_without_a_job_asks_which_with_a_button_per_sheet(kb):
    reply = ask(kb, "ask_salary", "ça paye combien ?", aspects=["brut"])
    assert has(reply.text, "De quel métier", "Écrivez le nom d'un métier")
    assert not any(ch.isdigit() for ch in reply.text)  # no figure of any métier
    assert len(reply.buttons) == len(kb.sheets) and reply.job is None and reply.topic == "ask_salary"
    intent, _, entities = reply.buttons[0]["payload"].partition("{")
    assert intent == "/ask_salary" and json.loads("{" + entities)["aspect"] == ["brut"]
    pressed = json.loads("{" + reply.buttons[1]["payload"].partition("{")[2])["job"]
    assert pressed in kb.sheets and ask(kb, "ask_salary", "/ask_salary", jobs=[pressed]).job == pressed


def test_a_common_word_of_one_sheet_picks_no_metier(kb):
    """« études » names no métier, however rare it is in the sheets: the question asks which one."""
    reply = ask(kb, "ask_training", "quelles études faut-il faire ?")
    assert reply.job is None and has(reply.text, "De quel métier")


def test_a_proper_noun_only_one_sheet_writes_picks_that_sheet_in_a_new_conversation(kb):
    """« Londres » is only in the guide's facts: its bachelor is the guide's, said with its métier."""
    reply = ask(kb, "ask_training", "Le bachelor de l'université de Londres, il dure combien de temps ?")
    assert reply.job == ML and has(reply.text, "Londres", "6 ans", "ingénieur en Machine Learning")
    # With a métier in the conversation, the name does not switch it.
    reply = ask(kb, "ask_training", "et le bachelor de Londres ?", context_job="data-scientist")
    assert reply.job == "data-scientist"


@pytest.mark.parametrize("sheet_id, figure", [
    ("data-scientist", "2 660"), ("data-analyst", "2 750"), ("data-manager", "2 750"),
    ("statisticien", "1 850"), ("bio-informaticien", "1 944"),
])
def test_each_salary_names_its_metier_period_and_source(kb, sheet_id, figure):
    reply = ask(kb, "ask_salary", jobs=[kb.sheets[sheet_id].title])
    assert has(reply.text, figure, "par mois", "brut", kb.sheets[sheet_id].title, "Source : Onisep", "onisep.fr")
    assert "50 k€" not in reply.text and reply.facts[0].startswith(f"{sheet_id}:")
    # The sheet's own figure comes first; its ROME fiche's Dares medians follow, labelled as context.
    own, context = reply.text.split("Pour situer ce chiffre")
    assert figure in own and "salaire médian" in context and "ne se comparent pas tels quels" in context
    assert all(ref.startswith((f"{sheet_id}:", f"{kb.sheets[sheet_id].rome_fiche}:", "dares:")) for ref in reply.facts)


def test_the_job_named_once_stays_and_a_follow_up_switches_it_keeping_the_topic(kb):
    first = ask(kb, "ask_salary", "combien gagne un data scientist ?", jobs=["data scientist"])
    assert has(first.text, "2 660")
    same = ask(kb, "ask_training", "et comme formation ?", context_job=first.job, context_topic=first.topic)
    assert same.job == "data-scientist" and has(same.text, "master")
    switched = ask(kb, "ask_definition", "et pour un data analyst ?", jobs=["data analyst"],
                   context_job=first.job, context_topic=first.topic)
    assert switched.job == "data-analyst" and switched.topic == "ask_salary" and has(switched.text, "2 750")
    assert "2 660" not in switched.text


def test_a_follow_up_with_a_question_of_its_own_is_not_the_previous_topic(kb):
    reply = ask(kb, "ask_definition", "c'est quoi un data analyst ?", jobs=["data analyst"],
                context_job="data-scientist", context_topic="ask_salary")
    assert reply.topic == "ask_definition" and "2 750" not in reply.text


def test_comparing_two_sheets_answers_from_both_with_their_sources(kb):
    reply = ask(kb, "ask_comparison", "différence entre data scientist et ingénieur ML ?",
                jobs=["data scientist", "ingénieur ML"])
    assert {ref.split(":")[0] for ref in reply.facts} == {"data-scientist", ML}
    assert has(reply.text, "Onisep", "Thomas Bodin", "cas d'usage plus particuliers")


def test_comparing_with_the_job_in_context_when_one_job_is_named(kb):
    reply = ask(kb, "ask_comparison", "et la différence avec un data analyst ?", jobs=["data analyst"], context_job=ML)
    assert {ref.split(":")[0] for ref in reply.facts} == {ML, "data-analyst"}


def test_two_salaries_are_never_mixed(kb):
    reply = ask(kb, "ask_salary", "salaire data scientist vs ingé ML", jobs=["data scientist", "ingé ML"])
    lines = reply.text.splitlines()
    scientist = next(line for line in lines if line.startswith("- Data scientist"))
    engineer = next(line for line in lines if line.startswith("- Ingénieur en Machine Learning"))
    assert has(scientist, "2 660", "par mois", "Onisep") and "50" not in scientist
    assert has(engineer, "50 k€", "annuel", "Thomas Bodin") and "2 660" not in engineer


def test_list_jobs_lists_every_sheet_with_a_button_each(kb):
    reply = ask(kb, "list_jobs", "tu connais quels métiers ?")
    assert all(fold(s.title) in fold(reply.text) for s in kb.sheets.values())
    assert {b["title"].lower() for b in reply.buttons} == {s.title.lower() for s in kb.sheets.values()}


def test_source_of_an_onisep_sheet_gives_title_publisher_link_and_quote(kb):
    reply = ask(kb, "ask_source", "source ?", context_job="data-analyst", last_facts=["data-analyst:salary_beginner"])
    assert has(reply.text, "Fiche métier data analyst", "Onisep", "MET.7930",
               "https://www.onisep.fr/http/redirection/metier/slug/MET.7930", "A partir de 2750 euros brut par mois")


@pytest.mark.parametrize("name, code", [
    ("géomètre-topographe", "F1107"), ("sage-femme", "J1104"), ("avocat", "K1903"),
    ("pilote de ligne", "N2102"), ("pâtissière", "D1104"),
])
def test_a_metier_of_onisep_s_index_answers_from_its_rome_fiche_with_both_links(kb, name, code):
    reply = ask(kb, "ask_training", f"comment devenir {name} ?", jobs=[name])
    fiche = kb.fiches[code]
    assert has(reply.text, fiche["access"][0], f"fiche {code}", fiche["url"], "onisep.fr") and reply.job == code
    salary = ask(kb, "ask_salary", "et ça gagne combien ?", context_job=reply.job)
    # ROME gives no salary: the Dares' family medians only, never a sheet's figure.
    assert has(salary.text, "ne donne pas de salaire", "salaire médian", "net par mois", "Source : Dares")
    assert not any(w in salary.text for w in ("euros", "k€", "brut"))


def test_a_title_of_a_fiche_named_otherwise_says_which_fiche_answers(kb):
    reply = ask(kb, "ask_definition", "c'est quoi un avocat ?", jobs=["avocat"])
    assert has(reply.text, "France Travail range le métier « avocat » dans sa fiche ROME K1903 « Juriste »")


def test_an_index_name_written_without_nlu_tagging_it_is_still_found(kb):
    assert ask(kb, "ask_salary", "une sage-femme ça gagne combien ?").job == "J1104"


def test_a_name_nothing_knows_is_named_back_with_no_facts(kb):
    reply = ask(kb, "ask_salary", "combien gagne un youtubeur ?", jobs=["youtubeur"], context_job="data-scientist")
    assert has(reply.text, "Je ne connais pas le métier « youtubeur »") and reply.job is None
    assert not any(ch.isdigit() for ch in reply.text) and not reply.facts


def test_a_piece_of_a_sheet_name_is_not_taken_for_another_metier(kb):
    reply = ask(kb, "ask_salary", "ça paye bien architecte big data ?", jobs=["architecte"])
    assert reply.job == "architecte-big-data" and "pas encore de fiche" not in reply.text


@pytest.mark.parametrize("text, jobs", [
    ("et pour les data analysts alors ?", ["data-analyst"]),  # the value as Rasa's synonym mapper gives it
    ("et dans le cas d'un data analyst ?", ["data analyst"]),
])
def test_a_follow_up_in_other_words_or_in_the_plural_keeps_the_topic(kb, text, jobs):
    reply = ask(kb, "ask_definition", text, jobs=jobs, context_job="data-scientist", context_topic="ask_salary")
    assert reply.job == "data-analyst" and has(reply.text, "2 750")


@pytest.mark.parametrize("text", ["Quelle école choisir pour faire du machine learning ?", "y a du travail en ML ?"])
def test_a_piece_of_one_sheets_names_picks_that_sheet(kb, text):
    assert ask(kb, "ask_training", text).job == ML


def test_a_piece_shared_by_two_sheets_picks_none(kb):
    assert ask(kb, "ask_salary", "et un ingénieur, ça paye ?").job is None  # « ingénieur » alone names no sheet


def test_a_piece_of_an_index_name_tagged_by_nlu_gets_the_whole_name(kb):
    reply = ask(kb, "ask_salary", "et un geometre topographe il gagne combien", jobs=["geometre"])
    assert reply.job == "F1107" and has(reply.text, "Géomètre-topographe")
