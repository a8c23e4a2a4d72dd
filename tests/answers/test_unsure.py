"""Questions the classifier could not place: sheet terms, a question back, the closest fact, a refusal."""

from __future__ import annotations

import pytest

from bot.answers import Question, compose_answer
from bot.answers.compose import CLOSEST_MIN_SCORE, OUT_OF_SCOPE_SURE
from bot.answers.search import FactSearch
from bot.nlu_eval import load_examples, nlu_training_files
from tests.conftest import ROOT

ML = "ingenieur-machine-learning"
UNSURE = [("nlu_fallback", 0.28), ("ask_training", 0.27), ("ask_career", 0.24), ("greet", 0.1)]


def unsure(kb, text, ranking=UNSURE, **kw):
    kw.setdefault("context_job", ML)  # a conversation about the guide's métier
    return compose_answer(kb, Question(intent="nlu_fallback", text=text, ranking=ranking, **kw))


def out_of_scope(kb, text, confidence):
    ranking = [("out_of_scope", confidence), ("ask_skills", 1 - confidence)]
    return compose_answer(kb, Question(intent="out_of_scope", text=text, ranking=ranking, context_job=ML))


def test_a_sentence_the_sheet_writes_in_other_words_is_a_mention(kb):
    reply = unsure(kb, "garantir la propreté des données, c'est son rôle ?")
    assert reply.facts == [f"{ML}:mission_data_engineering"]
    assert "« garantir la propreté des données »" in reply.text


@pytest.mark.parametrize("text, fact, quoted", [
    ("et Keras ?", "skill_ml_apis", "Keras"),
    ("Google ?", "employer_big_tech_rnd", "Google"),
    ("la vision par ordinateur", "employer_product", "vision par ordinateur"),
    ("le cours de Berkeley", "training_berkeley_python", "Berkeley"),
    ("londres", "training_london_bachelor", "londres"),
    ("et le C++ ?", "skill_languages", "C++"),
    ("la reconnaissance vocale ça compte ?", "employer_product", "reconnaissance vocale"),
])
def test_a_sheet_term_gets_the_facts_that_name_it_with_their_quotes(kb, text, fact, quoted):
    reply = unsure(kb, text)
    assert f"{ML}:{fact}" in reply.facts
    sheet_fact = kb.get(ML).fact(fact)
    assert f"« {quoted} »" in reply.text and sheet_fact.text in reply.text and f"« {sheet_fact.source} »" in reply.text
    assert reply.job == ML and reply.buttons


def test_every_fact_naming_a_term_is_given(kb):
    reply = unsure(kb, "python")
    assert {f"{ML}:skill_languages", f"{ML}:training_berkeley_python"} <= set(reply.facts)


def test_unsure_without_a_term_asks_which_topic_with_buttons(kb):
    reply = unsure(kb, "et ensuite pour y arriver ?", context_job=ML)
    assert reply.text == "Je ne suis pas sûr de bien comprendre. Vous voulez parler de la formation ou de l'évolution de carrière ?"
    assert [(b["title"], b["payload"]) for b in reply.buttons] == [
        ("Formation", "/ask_training"), ("Évolution de carrière", "/ask_career")]
    assert reply.job == ML and not reply.facts


def test_the_clarifying_buttons_keep_the_aspects_asked(kb):
    reply = unsure(kb, "et en alternance alors ?", aspects=["alternance"])
    assert reply.buttons[0]["payload"] == '/ask_training{"aspect":["alternance"]}'


def test_three_close_topics_are_offered_at_most(kb):
    ranking = [("nlu_fallback", 0.3), ("ask_salary", 0.26), ("ask_outlook", 0.25), ("ask_skills", 0.2), ("ask_career", 0.19)]
    reply = unsure(kb, "bof", ranking=ranking)
    assert "du salaire, des perspectives du métier ou des compétences ?" in reply.text
    assert len(reply.buttons) == 3


def test_unsure_and_no_topic_is_the_default_refusal(kb):
    reply = unsure(kb, "bof", ranking=[("nlu_fallback", 0.3), ("greet", 0.25), ("thank", 0.2)])
    assert reply.response == "utter_default" and not reply.facts


def test_an_unsure_question_on_a_fiche_asks_the_topic_about_that_fiche(kb):
    reply = unsure(kb, "un boulanger ça bosse la nuit ?", jobs=["boulanger"])
    assert reply.text.startswith("Je ne suis pas sûr") and reply.buttons and reply.job == "D1102"


def test_an_unsure_question_naming_a_metier_with_no_topic_says_what_it_is(kb):
    ranking = [("nlu_fallback", 0.3), ("list_jobs", 0.25), ("ask_source", 0.2), ("ask_definition", 0.15)]
    reply = unsure(kb, "je voudrais des infos sur le métier de carreleur", ranking=ranking)
    assert reply.job == "F1608" and kb.fiches["F1608"]["definition"] in reply.text and reply.buttons


def test_an_unsure_question_naming_a_metier_with_one_likely_topic_answers_it(kb):
    ranking = [("nlu_fallback", 0.3), ("ask_missions", 0.28), ("list_jobs", 0.11)]
    reply = unsure(kb, "que fait un ébéniste ?", ranking=ranking)
    assert reply.job == "H2207" and reply.topic == "ask_missions" and kb.fiches["H2207"]["missions"][0] in reply.text


def test_an_unsure_question_whose_aspect_belongs_to_one_topic_answers_that_topic(kb):
    """The classifier leans to employers, but « chiffres de l'emploi » is an aspect of the outlook only."""
    ranking = [("nlu_fallback", 0.3), ("ask_employers", 0.16), ("help", 0.15)]
    reply = unsure(kb, "combien de postes de plombiers d'ici dix ans ?", ranking=ranking, aspects=["chiffres_emploi"])
    assert reply.job == "F1603" and reply.topic == "ask_outlook" and "Plombiers, chauffagistes" in reply.text


def test_an_unsure_question_on_an_unknown_metier_names_it_back(kb):
    reply = unsure(kb, "un dresseur de licornes ça bosse la nuit ?", jobs=["dresseur de licornes"])
    assert "« dresseur de licornes »" in reply.text and reply.job is None and not reply.facts


def test_a_strong_match_with_no_term_gets_the_closest_fact(kb):
    text = "il optimise la vitesse des programmes ?"
    closest = FactSearch(kb.get(ML)).closest(text)
    assert closest.score >= CLOSEST_MIN_SCORE
    reply = unsure(kb, text, ranking=[("nlu_fallback", 0.3), ("greet", 0.2)])
    assert reply.facts == [f"{ML}:mission_optimisation"]
    assert reply.text.startswith("Je ne suis pas sûr d'avoir compris votre question. Voici ce que ma source dit de plus proche")


def test_out_of_scope_with_confidence_is_refused_even_naming_a_sheet_term(kb):
    reply = out_of_scope(kb, "code moi un script python qui trie une liste", OUT_OF_SCOPE_SURE)
    assert reply.response == "utter_out_of_scope" and not reply.facts


def test_out_of_scope_without_confidence_that_names_a_term_gets_its_facts(kb):
    reply = out_of_scope(kb, "chez Google ça se passe comment ?", 0.6)
    assert reply.facts == [f"{ML}:employer_big_tech_rnd"]


def test_out_of_scope_training_sentences_get_no_fact_even_unsure(kb):
    """The refusal holds on every out-of-scope example of the training data, whatever the confidence."""
    sentences = [t for f in nlu_training_files(ROOT) if "intent:" in f.read_text() for t, i in load_examples(f)
                 if i == "out_of_scope"]
    leaked = [(t, r.facts) for t in sentences if (r := out_of_scope(kb, t, 0.5)).facts]
    # A request for code naming the sheet's tools is the one kind the classifier must be sure of.
    assert leaked and all(any(w in t.lower() for w in ("python", "tensorflow")) for t, _ in leaked), leaked


@pytest.mark.parametrize("text, fact", [
    ("c'est quoi la vision par ordinateur ?", "employer_product"),
    ("Keras c'est quoi ?", "skill_ml_apis"),
])
def test_a_definition_question_on_a_sheet_term_gets_the_facts_naming_it(kb, text, fact):
    reply = compose_answer(kb, Question(intent="ask_definition", text=text, context_job=ML))
    assert reply.facts == [f"{ML}:{fact}"] and "Texte de la source" in reply.text


def test_a_definition_question_on_the_job_is_its_definition(kb):
    reply = compose_answer(kb, Question(intent="ask_definition", text="c'est quoi un ingé ML qui fait de la vision par ordinateur ?"))
    assert f"{ML}:def_role" in reply.facts


def test_gibberish_leaning_out_of_scope_gets_no_question_back(kb):
    ranking = [("nlu_fallback", 0.3), ("out_of_scope", 0.19), ("ask_comparison", 0.07), ("affirm", 0.06)]
    assert unsure(kb, "zkqv bxwp mlrt", ranking=ranking).response == "utter_default"
