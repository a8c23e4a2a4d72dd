"""compose_answer: the facet asked first, only facts of the sheet, honest gaps."""

from __future__ import annotations

import pytest

from bot.answers import Question, compose_answer
from bot.answers.templates import SECTION_OF_INTENT
from bot.knowledge import load_knowledge
from bot.text import fold
from tests.answers.pages import whole_text

ML = "ingenieur-machine-learning"
NO_INFO = ("ne dit rien", "ne donne pas", "ne cite", "ne compare pas", "n'indique pas")


def ask(kb, intent, **kw):
    """A question in a conversation about the guide's métier (several sheets: no default job)."""
    kw.setdefault("context_job", ML)
    return compose_answer(kb, Question(intent=intent, **kw))


def has(text, *words):
    folded = fold(text)
    return all(fold(w) in folded for w in words)


def says_no_info(text):
    return any(marker in fold(text) for marker in map(fold, NO_INFO))


@pytest.mark.parametrize("intent, words", [
    ("ask_definition", ["algorithmes", "données", "logiciels"]),
    ("ask_missions", ["algorithmes", "optimise", "Data Engineering", "expériences"]),
    ("ask_employers", ["agence", "Google", "R&D", "reconnaissance vocale"]),
    ("ask_skills", ["Python", "C++", "Keras", "TensorFlow", "Cloud", "anglais", "mathématiques", "ingénierie logicielle"]),
    ("ask_training", ["école d'ingénieurs", "master", "Big Data", "Londres", "Berkeley", "Washington", "autodidacte"]),
    ("ask_salary", ["50 k€", "brut", "annuel", "Île-de-France", "région", "stages", "deux ans"]),
    ("ask_comparison", ["data scientist", "Data Mining", "cas d'usage plus particuliers"]),
    ("ask_outlook", ["meilleures opportunités", "États-Unis", "nouveau"]),
    ("ask_career", ["deux ans", "autodidacte"]),
])
def test_each_topic_gives_the_guide_facts(kb, intent, words):
    reply = ask(kb, intent)
    assert has(whole_text(kb, Question(intent=intent, context_job=ML)), *words), reply.text  # « Voir plus » included
    assert reply.job == ML
    # The guide's facts; a salary is followed by the Dares' medians of the sheet's ROME fiche, as context,
    # a career by the fiche's mobilities (topics.yml `rome_too`).
    fiche = kb.sheets[ML].rome_fiche
    context = {"ask_salary": (f"{fiche}:ask_salary", "dares:"), "ask_career": (f"{fiche}:ask_career",)}.get(intent, ())
    assert reply.facts and all(ref.startswith((f"{ML}:", *context)) for ref in reply.facts)
    assert reply.facts[0].startswith(f"{ML}:")


def test_every_topic_intent_is_answered(kb):
    for intent in SECTION_OF_INTENT:
        assert ask(kb, intent).text.strip()


@pytest.mark.parametrize("aspect, words, not_words", [
    ("anglais", ["anglais", "écrit"], ["Keras", "Python"]),
    ("langages", ["Python", "C++"], ["anglais", "Keras"]),
    ("outils", ["Keras", "TensorFlow"], ["anglais"]),
    ("cloud", ["Cloud", "distribuée"], ["anglais"]),
    ("mathematiques", ["mathématiques"], ["anglais"]),
    ("informatique", ["informatique"], ["anglais"]),
    ("ingenierie_logicielle", ["ingénierie logicielle"], ["anglais"]),
])
def test_skill_facet_is_answered_precisely(kb, aspect, words, not_words):
    text = ask(kb, "ask_skills", aspects=[aspect]).text
    assert has(text, *words), text
    assert not any(fold(w) in fold(text) for w in not_words), text


@pytest.mark.parametrize("aspects, words", [
    (["certification", "gratuit"], ["Berkeley", "Washington", "gratuit"]),
    (["bachelor", "duree"], ["Londres", "3 à 6 ans"]),
    (["master"], ["master", "Big Data"]),
    (["ecole"], ["école d'ingénieurs", "ne cite aucune école"]),
    (["autodidacte"], ["autodidacte"]),
    (["certification", "langages"], ["Berkeley", "Python"]),
])
def test_training_facet_is_answered_precisely(kb, aspects, words):
    text = ask(kb, "ask_training", aspects=aspects).text
    assert has(text, *words), text


@pytest.mark.parametrize("aspect, words", [
    ("donnees", ["Data Engineering", "propreté"]),
    ("optimisation", ["vitesse", "performances"]),
])
def test_mission_facet(kb, aspect, words):
    assert has(ask(kb, "ask_missions", aspects=[aspect]).text, *words)


@pytest.mark.parametrize("aspect, word", [("grands_groupes", "Google"), ("agence", "agence"), ("produit", "reconnaissance vocale")])
def test_employer_facet(kb, aspect, word):
    text = ask(kb, "ask_employers", aspects=[aspect]).text
    assert has(text, word)


# --- honesty: what the guide does not say -------------------------------------------

@pytest.mark.parametrize("level", ["senior", "confirmé"])
def test_salary_for_a_level_the_guide_lacks(kb, level):
    text = ask(kb, "ask_salary", experience_level=level).text
    assert says_no_info(text) and has(text, level, "junior", "50 k€")
    for figure in ("55", "60", "65", "70", "75", "80", "90"):
        assert figure not in text


def test_salary_outside_ile_de_france(kb):
    text = ask(kb, "ask_salary", region="Lyon").text
    assert says_no_info(text) and has(text, "Lyon", "Île-de-France", "varier selon la région")


def test_salary_net_monthly_is_not_invented(kb):
    text = ask(kb, "ask_salary", aspects=["net", "mensuel"]).text
    assert has(text, "brut", "annuel", "ne donne pas de montant net", "ne donne pas de montant mensuel")


def test_salary_period_question(kb):
    assert has(ask(kb, "ask_salary", aspects=["mensuel", "annuel"]).text, "salaire annuel")


def test_internship_pay(kb):
    text = ask(kb, "ask_salary", aspects=["stage"]).text
    assert has(text, "stages ne sont pas comptés") and says_no_info(text)
    assert "50" not in text


@pytest.mark.parametrize("intent, aspect, label", [
    ("ask_conditions", "teletravail", "télétravail"),
    ("ask_conditions", "horaires", "horaires"),
    ("ask_conditions", "freelance", "indépendant"),
    ("ask_training", "alternance", "alternance"),
    ("ask_career", "evolution", "évolutions de carrière"),
    ("ask_outlook", "chiffres_emploi", "chiffres de l'emploi"),
    ("ask_skills", "qualites", "qualités personnelles"),
])
def test_facet_the_guide_lacks_is_named(kb, intent, aspect, label):
    text = ask(kb, intent, aspects=[aspect]).text
    assert says_no_info(text) and has(text, label), text


def test_conditions_without_facet_says_the_sheet_is_silent(kb):
    text = ask(kb, "ask_conditions").text
    assert says_no_info(text) and has(text, "conditions de travail")


def test_comparison_with_an_unknown_job(kb):
    text = ask(kb, "ask_comparison", jobs=["ingé ML", "dresseur de licornes"]).text
    assert has(text, "ne compare pas", "dresseur de licornes", "data scientist")


def test_comparison_of_a_sheet_and_a_fiche_credits_each_side(kb):
    reply = ask(kb, "ask_comparison", jobs=["ingé ML", "développeur web"])
    assert has(reply.text, "Développeur / Développeuse web", "fiche M1855", "Thomas Bodin")
    assert reply.sheets == [ML, "M1855"]


@pytest.mark.parametrize("intent, words", [
    ("ask_salary", ["ne donne pas de salaire"]), ("ask_training", ["Comment devenir", "CAP"]),
    ("ask_definition", ["installe, répare et entretient"]), ("ask_skills", ["Savoir-faire"]),
])
def test_job_without_sheet_is_answered_from_its_rome_fiche(kb, intent, words):
    reply = ask(kb, intent, jobs=["plombier"], context_job=ML)
    assert has(reply.text, *words, "Source : France Travail, ROME 4.0, fiche F1603", "MET.264")
    assert "50 k€" not in reply.text and "Berkeley" not in reply.text
    assert reply.job == "F1603" and reply.facts[0] == f"F1603:{intent}"
    assert all(ref.startswith("dares:") for ref in reply.facts[1:])  # the families a salary quotes


def test_a_fiche_stays_in_context(kb):
    reply = ask(kb, "ask_training", context_job="K1903")
    assert has(reply.text, "Licence en droit", "fiche K1903") and "Berkeley" not in reply.text
    # A conversation that kept a name before slots held ids resolves it once more.
    assert ask(kb, "ask_training", context_job="avocat").job == "K1903"


def test_named_job_wins_over_context(kb):
    reply = ask(kb, "ask_salary", jobs=["ML engineer"], context_job="avocat")
    assert has(reply.text, "50 k€") and reply.job == ML


def test_job_found_in_text_when_nlu_missed_it(kb):
    reply = ask(kb, "ask_salary", text="salaire d'un machine learning engineer ?", context_job="avocat")
    assert reply.job == ML


def test_typo_in_job_name_still_resolves(kb):
    assert ask(kb, "ask_missions", jobs=["machine learnig engineer"]).job == ML


# --- source, list, help --------------------------------------------------------------------

def test_source_quotes_the_previous_fact(kb):
    salary = ask(kb, "ask_salary")
    text = ask(kb, "ask_source", last_facts=salary.facts).text
    assert has(text, "Thomas Bodin", "Guide des métiers", "«junior» peut prétendre")


def test_source_without_previous_answer(kb):
    assert has(ask(kb, "ask_source").text, "Le métier et salaire d'ingénieur en Machine Learning", "Thomas Bodin")


def test_list_jobs_and_help(kb):
    listed = ask(kb, "list_jobs", context_job="avocat")
    assert has(listed.text, "ingénieur en Machine Learning") and listed.job is None
    assert has(ask(kb, "help").text, "missions", "compétences", "formations", "salaire")


def test_answers_offer_next_questions(kb):
    buttons = ask(kb, "ask_salary").buttons
    assert {b["title"] for b in buttons} >= {"Missions", "Compétences", "Source"}
    assert "/ask_salary" not in {b["payload"] for b in buttons}


# --- a second métier, added as data only ------------------------------------------------

@pytest.fixture(scope="module")
def kb2(two_metier_dir):
    return load_knowledge(two_metier_dir)


def test_second_metier_answers(kb2):
    assert has(ask(kb2, "ask_missions", jobs=["boulangère"]).text, "pétrit la pâte")
    salary = ask(kb2, "ask_salary", jobs=["boulanger"]).text
    assert has(salary, "1 900 €", "par mois") and "50 k€" not in salary
    assert has(ask(kb2, "ask_conditions", jobs=["boulanger"], aspects=["horaires"]).text, "quatre heures")
    assert has(ask(kb2, "ask_outlook", jobs=["boulanger"]).text, "ne dit rien")


def test_two_metiers_without_context_asks_which(kb2):
    reply = ask(kb2, "ask_salary", context_job=None)
    assert has(reply.text, "De quel métier") and reply.job is None
    assert {b["title"] for b in reply.buttons} >= {"Boulanger", "Ingénieur en Machine Learning"}
    assert "50" not in reply.text and "1 900" not in reply.text


def test_second_metier_keeps_context(kb2):
    assert has(ask(kb2, "ask_training", context_job="boulanger").text, "CAP")


def test_list_jobs_confirms_a_named_job(kb):
    known = ask(kb, "list_jobs", jobs=["ingé ML"])
    assert has(known.text, "J'ai une fiche") and known.job == ML
    fiche = ask(kb, "list_jobs", jobs=["plombière"])
    assert has(fiche.text, "« Plombier / Plombière sanitaire »", "fiche ROME") and fiche.job == "F1603"
    unknown = ask(kb, "list_jobs", jobs=["dresseuse de licornes"])
    assert has(unknown.text, "Je ne connais pas le métier « dresseuse de licornes »") and unknown.job is None


@pytest.mark.parametrize("jobs, text", [
    (["engineer"], "c quoi le job d'un machine learnig engineer"),
    (["inge"], "ou bosser qd on est inge en apprentisage automatique"),
    (["ingé"], "quelle école d'ingé pour le ML ?"),
])
def test_fragment_of_a_known_name_is_not_an_unknown_job(kb, jobs, text):
    reply = ask(kb, "ask_definition", jobs=jobs, text=text)
    assert reply.job == ML and "Je n'ai pas de fiche" not in reply.text


def test_misspelt_name_in_text_overrides_an_unknown_context(kb):
    reply = ask(kb, "ask_missions", text="et un ingenieur machin learning il fait quoi", context_job="avocat")
    assert reply.job == ML
