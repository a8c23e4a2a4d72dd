"""Which métiers a message names: the one index of names, its normalisation, typos, and the names nobody knows."""

from __future__ import annotations

import pytest

from bot.knowledge import rome
from bot.resolve.mentions import MAX_CHOICES, Mention, MentionFinder
from bot.resolve.names import Grammar, build_index
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(scope="module")
def finder(kb):
    return MentionFinder(build_index(KNOWLEDGE_DIR, list(kb.sheets.values()), rome.load_fiches(KNOWLEDGE_DIR),
                                     kb.catalogue))


def named(finder, text, tagged=()):
    return [(m.metiers, m.ambiguous, m.own) for m in finder.find(text, tagged)]


@pytest.mark.parametrize("text, metier", [
    ("kinésithérapeute", "J1404"),
    ("les kinés gagnent combien ?", "J1404"),
    ("quel diplôme pour être kinésitérapeute", "J1404"),  # a typo
    ("développeur web", "M1855"),
    ("devloppeur web c'est bien payé ?", "M1855"),
    ("c'est quoi un boulanger", "D1102"),
    ("Quelles études pour devenir BOULANGÈRE ?", "D1102"),
    ("prof des écoles c'est dur ?", "K2106"),
    ("un vétérinaire", "A1504"),
    ("aide-soignante formation", "J1501"),
    ("aides soignantes salaire", "J1501"),  # plural, no hyphen
    ("je veux etre infirmiere en bloc operatoire", "J1504"),  # a name written on after « en »
    ("les ATSEM travaillent le mercredi ?", "K1308"),  # the acronym a title carries
    ("slt cb gagne 1 data analist", "data-analyst"),  # SMS and a typo, to a sheet
    ("c'est quoi un ingé ML ?", "ingenieur-machine-learning"),  # everyday form of a sheet
    ("une ingé en apprentisage automatique, ça fait quoi ?", "ingenieur-machine-learning"),  # clipped, and a typo
])
def test_a_name_written_as_people_write_it_resolves_to_its_metier(finder, text, metier):
    mentions = finder.find(text)
    assert [m.metiers[0] for m in mentions if m.resolved] == [metier], mentions


def test_a_sheet_name_leads_to_the_sheet_before_any_rome_fiche(finder):
    assert named(finder, "data scientist")[0][0] == ("data-scientist",)


def test_two_metiers_are_found_in_the_order_named(finder):
    assert [m.metiers for m in finder.find("différence entre data scientist et ingé ML")] == [
        ("data-scientist",), ("ingenieur-machine-learning",)]


def test_a_name_several_metiers_share_offers_at_most_five_choices(finder):
    (mention,) = finder.find("ingénieur", ["ingénieur"])
    assert mention.ambiguous and 1 < len(mention.metiers) <= MAX_CHOICES


@pytest.mark.parametrize("text, tagged", [
    ("c'est quoi un dresseur de licornes ?", "dresseur de licornes"),
    ("combien gagne un chasseur de fantômes ?", "chasseur de fantômes"),  # « chasseur » alone is a ROME title
    ("il faut quel bac pour être testeur de nuages ?", "testeur de nuages"),
])
def test_a_tagged_name_nobody_knows_stays_unresolved_even_if_a_piece_is_known(finder, text, tagged):
    (mention,) = finder.find(text, [tagged])
    assert not mention.metiers and mention.written == tagged


@pytest.mark.parametrize("text", ["quelles études faut-il faire ?", "ça paye combien ?", "bonjour", "quel métier avec les animaux ?"])
def test_a_question_naming_no_metier_names_none(finder, text):
    assert finder.find(text) == []


def test_the_persons_own_job_is_marked_as_such(finder):
    mentions = finder.find("je suis comptable depuis 15 ans et je pense à une reconversion, par où commencer ?")
    assert [(m.metiers, m.own) for m in mentions] == [(("M1203",), True)]
    assert [m.own for m in finder.find("je voudrais devenir comptable")] == [False]


def test_the_normalisation_folds_case_accents_apostrophes_hyphens_plurals_and_sms():
    grammar = Grammar.load(KNOWLEDGE_DIR)
    assert grammar.key("Les Aides-Soignantes d’EHPAD") == grammar.key("les aide soignante d'ehpad") \
        == "les aide soignante d ehpad"
    assert grammar.words("cb gagne 1 plombier") == ["combien", "gagne", "un", "plombier"]


def test_check_refuses_an_everyday_form_leading_nowhere_or_already_a_source_name(kb, tmp_path):
    from bot.resolve.names import EVERYDAY_FILE, GRAMMAR_FILE, everyday_problems

    (tmp_path / "names").mkdir()
    (tmp_path / GRAMMAR_FILE).write_text((KNOWLEDGE_DIR / GRAMMAR_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / EVERYDAY_FILE).write_text("forms:\n  kiné: J1404\n  plombier: F1603\n  barista: Z9999\n", encoding="utf-8")
    problems = everyday_problems(tmp_path, list(kb.sheets.values()), rome.load_fiches(KNOWLEDGE_DIR), kb.catalogue)
    assert len(problems) == 2
    assert problems[0].startswith("[E033]") and "'plombier'" in problems[0] and "F1603" in problems[0]
    assert problems[1].startswith("[E032]") and "'barista'" in problems[1] and "Z9999" in problems[1]


def test_the_shipped_everyday_forms_are_valid(kb):
    from bot.resolve.names import everyday_problems

    assert everyday_problems(KNOWLEDGE_DIR, list(kb.sheets.values()), rome.load_fiches(KNOWLEDGE_DIR), kb.catalogue) == []


@pytest.mark.parametrize("text, written", [
    ("c'est quoi un dresseur de licornes ?", "dresseur de licorne"),
    ("combien gagne un chasseur de fantômes ?", "chasseur de fantome"),  # « chasseur » alone is a ROME title
    ("quelles études pour être éleveur de dragons", "eleveur de dragon"),
])
def test_a_known_name_going_on_with_de_and_a_word_no_name_holds_is_a_metier_nobody_knows(finder, text, written):
    (mention,) = finder.find(text)
    assert not mention.metiers and mention.written == written


@pytest.mark.parametrize("text, metier", [
    ("combien gagne un plombier de nos jours ?", "F1603"),  # a determiner: not a name going on
    ("un développeur de jeux vidéo", None),  # words names hold: not unknown
])
def test_de_followed_by_a_determiner_or_known_words_keeps_the_name(finder, text, metier):
    mentions = finder.find(text)
    assert mentions and mentions[0].metiers, mentions
    if metier:
        assert mentions[0].metiers[0] == metier


@pytest.mark.parametrize("text, tagged, written", [
    ("c'est quoi un éleveur de sirènes ?", ["éleveur"], "eleveur de sirene"),  # the NLU tagged the known piece
    ("c'est quoi un cueilleur d'étoiles ?", [], "cueilleur d etoile"),  # « étoile » is in names, never with it
    ("c'est quoi un apprivoiseur d'orages ?", [], "apprivoiseur d orage"),  # a word naming one who does
])
def test_a_name_nobody_knows_stays_unknown_whatever_pieces_of_it_are_known(finder, text, tagged, written):
    (mention,) = finder.find(text, tagged)
    assert not mention.metiers and mention.written == written


@pytest.mark.parametrize("text", [
    "quel téléphone acheter en ce moment ?",  # no « acheteur »
    "conseille moi une série",  # no « conseiller »
    "envoie un sms à ma mère",  # no « envoyé »
    "c'est quoi un ordinateur ?",  # a word of the sources' prose, no unknown métier
])
def test_a_french_word_of_the_sources_prose_is_never_read_as_a_typo_or_a_metier(finder, text):
    assert finder.find(text) == []


def test_a_name_going_on_as_the_sources_write_keeps_its_metier(finder):
    (mention,) = finder.find("ambulancière de nuit c dur ?")
    assert mention.metiers and mention.metiers[0] == "J1305"


@pytest.mark.parametrize("text, tagged, written", [
    ("c'est quoi un comptable magique ?", [], "comptable magique"),  # an adjective its fiche never writes
    ("je veux être cueilleur de comètes", ["cueilleur de"], "cueilleur de comete"),  # the NLU's span ends on « de »
])
def test_a_known_name_with_a_qualifier_no_source_writes_is_a_metier_nobody_knows(finder, text, tagged, written):
    assert finder.find(text, tagged) == [Mention(written)]


@pytest.mark.parametrize("text, metier", [
    ("un boulanger artisanal gagne combien ?", "D1102"),  # its fiche writes « artisanal »
    ("le salaire d'un plombier horaire", "F1603"),  # a word people ask with (the NLU's examples)
    ("c'est quoi un tounreur ?", "H2903"),  # two letters swapped: one typo
    ("comment devenir sommelieer", "G1804"),  # the typo is as close to « sommelier » as to « sommelière »
])
def test_a_name_with_a_real_qualifier_or_a_typo_keeps_its_metier(finder, text, metier):
    assert [m.metiers[0] for m in finder.find(text) if m.resolved] == [metier]


def test_a_name_the_nlu_tags_inside_a_longer_one_it_tagged_is_not_a_second_metier(finder):
    text = "quelles écoles pour faire architecte d'intérieur"
    assert [m.metiers for m in finder.find(text, ["architecte d'intérieur", "architecte"])] == [("F1102",)]


def test_a_conjugated_verb_is_never_read_as_a_typo_of_a_name(finder):
    text = "quelle formation conseillez-vous pour devenir statisticienne ?"
    assert [m.metiers[0] for m in finder.find(text)] == ["statisticien"]
