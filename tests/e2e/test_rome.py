"""Every métier of ROME 4.0, end to end: real model, real servers, French questions over HTTP."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import yaml

from tests.conftest import CLARIFY_OPENING, Conversation

pytestmark = pytest.mark.slow

INVENTED = yaml.safe_load((Path(__file__).parents[1] / "data" / "invented_metiers.yml").read_text(encoding="utf-8"))["invented"]
# Follow-ups that name no métier: each topic about the fiche in context, and what its answer must quote.
FOLLOW_UPS = [
    ("c'est quoi ce métier ?", lambda f: [f["definition"]]),
    ("quelles sont ses missions ?", lambda f: f["missions"][:1]),
    ("où peut-on travailler dans ce métier ?", lambda f: [f["sectors"][0]["label"]]),
    ("quelles compétences faut-il ?", lambda f: [next(s["label"] for s in f["skills"] if s["kind"] == "savoir_faire")]),
    ("quelle formation faut-il suivre ?", lambda f: f["access"][:1]),
    ("et les conditions de travail ?", lambda f: [i for items in list(f["conditions"].values())[:1] for i in items[:1]]),
    ("on peut évoluer vers quels métiers ?", lambda f: [m["label"] for m in f["mobilities"][:1]]),
    # ROME's tags, then the Dares' family headcounts, said as the past.
    ("est-ce que ça a de l'avenir ?",
     lambda f: ["ne fait pas de prévision"] + (["personnes en emploi en", "décrivent le passé"] if f["families"] else [])),
    # The Dares' family medians (5 fiches reach no family: ROME's « no salary » alone).
    ("ça gagne combien ?", lambda f: ["ne donne pas de salaire"] + (["net par mois en"] if f["families"] else [])),
]


def _name(fiche) -> str:
    """The fiche's title in the masculine, as a person would write it (no parenthesis)."""
    return re.sub(r"\s*\([^)]*\)", "", fiche["names"][0]).strip()


def _fiches_drawn(kb, count=20):
    """Fiches drawn at random (the seed is printed), among those no hand-made sheet answers first."""
    seed = random.randrange(10**6)
    print(f"ROME fiches drawn with seed {seed}")
    own = {s.rome_fiche for s in kb.sheets.values()}
    codes = sorted(c for c, f in kb.fiches.items() if c not in own and f["missions"] and f["mobilities"])
    return random.Random(seed).sample(codes, count)


def _ask_about(c: Conversation, fiche) -> str:
    """Name the métier; when the name is shared, press the fiche's button, when the topic is asked back,
    the first one offered (as a person would)."""
    reply = c.say(f"je voudrais des infos sur le métier de {_name(fiche)}")
    buttons = [b for r in c.last["replies"] for b in r.get("buttons") or []]
    pressed = next((b for b in buttons if f'"job":"{fiche["code"]}"' in b["payload"]), None)
    if "Lequel vous intéresse" in reply and pressed is not None:
        reply = c.say(pressed["payload"])
    elif reply.startswith(CLARIFY_OPENING) and buttons:  # the topic asked back: the first is pressed
        reply = c.say(buttons[0]["payload"])
    return reply


def test_twenty_fiches_drawn_at_random_answer_every_topic_from_their_own_text(stack, kb):
    failures, missed = [], []
    for code in _fiches_drawn(kb):
        fiche = {**kb.fiches[code], "families": kb.salary_families(code)}
        c = Conversation(stack.url)
        first = _ask_about(c, fiche)
        if fiche["url"] not in first:  # whatever the topic, the answer is the fiche's
            missed.append((code, first[:120]))
            continue
        for question, expected in FOLLOW_UPS:
            reply = c.say(question)
            if not all(e in reply for e in expected(fiche)) or fiche["url"] not in reply:
                failures.append((code, question, reply[:200]))
    # A title the classifier reads as out of scope is still missed: about 3 % of the 1,578 fiches asked
    # this way (bench/rome_titles.py, 2026-12-05); more than 3 of 20 happens once in 300 draws.
    print(f"fiches whose first question was answered from them: {20 - len(missed)}/20", missed)
    assert len(missed) <= 3, missed
    assert not failures, "\n".join(map(str, failures))


def test_fifty_invented_metiers_after_a_known_one_are_never_answered_with_its_facts(stack, kb):
    scientist = kb.sheets["data-scientist"]
    facts = [f.text for f in scientist.all_facts()]
    leaks, named_back = [], 0
    for name in INVENTED:
        c = Conversation(stack.url)
        assert "2 660" in c.say("combien gagne un data scientist ?")
        reply = c.say(f"c'est quoi un {name} ?")
        named_back += "Je ne connais pas le métier" in reply
        if any(f in reply for f in facts):
            leaks.append((name, reply[:160]))
    print(f"invented métiers named back: {named_back}/{len(INVENTED)}; answered with the context's facts: {len(leaks)}",
          leaks)
    # The target is 0: a name the NLU does not tag and the resolver does not find still falls back on the
    # métier in context (« collectionneur d'échos »: the word is in a source's sentence, the NLU tags
    # nothing; 1 of 50 on 2026-12-05, 3 before). Issue 18 stays open for it.
    assert len(leaks) <= 1, "\n".join(map(str, leaks))


@pytest.mark.parametrize("question, code, words", [
    ("Bonjour, ma fille veut devenir infirmière, est-ce une bonne idée ?", "J1506", ["Infirmier"]),
    ("kinésithérapeute ça consiste en quoi ?", "J1404", ["Kinésithérapeute"]),
    ("quelles sont les missions d'un développeur web ?", "M1855", ["Développeur / Développeuse web"]),
    ("quelle formation pour devenir professeur des écoles ?", "K2106", ["Professeur / Professeure des écoles"]),
    ("c'est quoi le métier de vétérinaire ?", "A1504", ["Vétérinaire"]),
    ("combien gagne un plombier ?", "F1603", ["« Plombiers, chauffagistes »", "1 800 € net par mois", "Source : Dares"]),
    ("slt c koi 1 boulanger", "D1102", ["Boulanger"]),
])
def test_a_stranger_s_questions_get_france_travail_s_facts_with_the_source(stack, kb, question, code, words):
    reply = Conversation(stack.url).say(question)
    assert all(w in reply for w in words) and kb.fiches[code]["url"] in reply, reply


def test_a_question_without_metier_in_a_new_conversation_asks_which(stack):
    c = Conversation(stack.url)
    reply = c.say("quelles études faut-il faire ?")
    assert reply.startswith("De quel métier parlez-vous ?") and "Berkeley" not in reply


def test_a_persons_own_job_is_not_the_one_asked_about(stack):
    reply = Conversation(stack.url).say(
        "je suis comptable depuis 15 ans et je pense à une reconversion dans la data, par où commencer ?")
    assert "Vous m'avez dit exercer le métier" in reply and "Comptable" in reply


def test_a_name_several_fiches_share_asks_with_at_most_five_buttons_and_a_press_answers(stack, kb):
    c = Conversation(stack.url)
    reply = c.say("combien gagne un ingénieur ?")
    buttons = c.last["replies"][0]["buttons"]
    assert "Plusieurs métiers portent le nom « ingénieur »" in reply and 2 <= len(buttons) <= 5
    code = json.loads("{" + buttons[0]["payload"].partition("{")[2])["job"]
    pressed = c.say(buttons[0]["payload"])
    assert kb.fiches[code]["url"] in pressed and "ne donne pas de salaire" in pressed
    assert kb.fiches[code]["definition"] in c.say("c'est quoi ce métier ?")


# A Dares median is said with its family, net, monthly, full time, period and source; never as the métier's own.
DARES_LABELS = ["salariés à temps complet de la famille", "salaire médian", "€ net par mois en 2017-2019",
                "Ce n'est pas un salaire de débutant", "Source : Dares"]


@pytest.mark.parametrize("question, family", [
    ("combien gagne une infirmière ?", "« Infirmiers »"),
    ("combien gagne un plombier ?", "« Plombiers, chauffagistes »"),
    ("combien gagne un prof des écoles ?", "« Professeurs des écoles »"),
    ("combien gagne un pilote de ligne ?", "« Personnels navigants de l'aviation »"),
])
def test_a_salary_question_gets_the_family_median_with_all_its_labels(stack, question, family):
    reply = Conversation(stack.url).say(question)
    assert family in reply and all(label in reply for label in DARES_LABELS), reply
    assert not re.search(r"(le salaire d'une? |gagne [\d ]+ €)", reply, re.IGNORECASE), reply


def test_salary_follow_ups_are_answered_from_the_figures_labels_and_follow_the_metier(stack):
    c = Conversation(stack.url)
    assert "« Infirmiers »" in c.say("combien gagne une infirmière ?")
    steps = [
        ("c'est brut ou net ?", ["ne publie que des salaires nets", "« Infirmiers »"]),
        ("et en senior ?", ["ne distingue pas l'ancienneté", "« Infirmiers »"]),
        ("et à Lyon ?", ["ne distingue pas les régions", "« Infirmiers »"]),
        ("c'est par mois ou par an ?", ["par mois, pas par an"]),
        ("et pour un kiné ?", ["fiche ROME J1404", "salaire médian", "net par mois"]),
        ("ça recrute ?", ["Kinésithérapeute", "personnes en emploi en", "décrivent le passé"]),
        ("tu tiens ça d'où ?", ["viennent de la Dares"]),
        ("qui gagne le plus, un plombier ou un électricien ?",
         ["« Plombiers, chauffagistes »", "« Électriciens du bâtiment »", "Ce n'est pas un salaire de débutant"]),
    ]
    for question, words in steps:
        reply = c.say(question)
        assert all(w in reply for w in words), (question, reply)
    assert "« Infirmiers »" not in reply
