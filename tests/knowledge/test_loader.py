"""The loader accepts the shipped knowledge and refuses broken sheets precisely."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.errors import Errors, KnowledgeError
from bot.knowledge import load_knowledge
from bot.text import squash
from tests.conftest import KNOWLEDGE_DIR, ROOT

SHEET = "ingenieur-machine-learning.yml"


def test_shipped_knowledge_loads(kb):
    sheet = kb.get("ingenieur-machine-learning")
    assert sheet is not None
    assert sheet.source.author == "Thomas Bodin"
    assert len(sheet.all_facts()) >= 30
    for section in ("definition", "missions", "employers", "skills", "training", "outlook", "career"):
        assert sheet.section_facts(section), section
    figure = sheet.salary.figures[0]
    assert (figure.level, figure.amount, figure.currency, figure.basis, figure.period, figure.region) == (
        "junior", 50000, "EUR", "brut", "annuel", "Île-de-France")


def test_every_fact_quotes_the_guide(kb):
    guide = squash((KNOWLEDGE_DIR / "sources" / "guide-ingenieur-machine-learning.txt").read_text())
    for fact in kb.get("ingenieur-machine-learning").all_facts():
        assert squash(fact.source) in guide, fact.id


def test_shipped_guide_is_the_shared_one():
    shared = ROOT.parent / "shared" / "docs" / "guide-ingenieur-machine-learning.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert (KNOWLEDGE_DIR / "sources" / shared.name).read_bytes() == shared.read_bytes()


def test_all_guide_certifications_are_structured(kb):
    training = kb.get("ingenieur-machine-learning").training
    providers = {t.provider for t in training if t.provider}
    assert providers == {"Université de Londres", "Université de Berkeley", "Université de Washington"}
    assert next(t for t in training if t.provider == "Université de Londres").duration == "3 à 6 ans"


def _broken_copy(tmp_path: Path, edit) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    path = target / SHEET
    text = path.read_text(encoding="utf-8")
    if callable(edit):
        data = yaml.safe_load(text)
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        old, new = edit
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _set(path, value):
    def edit(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return edit


def _delete(path):
    def edit(data):
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return edit


BROKEN = [
    # (case id, edit, expected code, expected fragment of the message)
    ("yaml syntax", ("id: ingenieur-machine-learning", "id: [ingenieur"), "E002", "invalid YAML"),
    ("not a mapping", ("id: ingenieur-machine-learning", "- id: ingenieur-machine-learning"), "E002", "line"),
    ("missing title", _delete(["title"]), "E004", "field 'title'"),
    ("empty fact text", _set(["missions", 0, "text"], "  "), "E004", "field 'missions[0].text'"),
    ("unknown field", _set(["salaire_net"], 40000), "E004", "field 'salaire_net'"),
    ("bad fact id", _set(["skills", 1, "id"], "Skill 2!"), "E004", "field 'skills[1].id'"),
    ("negative salary", _set(["salary", "figures", 0, "amount"], -5), "E004", "field 'salary.figures[0].amount'"),
    ("unknown currency", _set(["salary", "figures", 0, "currency"], "USD"), "E004", "currency"),
    ("unknown level", _set(["salary", "figures", 0, "level"], "expert"), "E004", "level"),
    ("duplicate fact id", _set(["missions", 1, "id"], "mission_algorithms"), "E005", "duplicate fact id 'mission_algorithms'"),
    ("unknown aspect", _set(["skills", 0, "aspects"], ["astrologie"]), "E006", "unknown aspect 'astrologie'"),
    ("invented quote", _set(["skills", 5, "source"], "Un anglais courant à l'oral est exigé."), "E007", "skills[5].source"),
    ("missing source file", _set(["source", "file"], "sources/absent.txt"), "E008", "does not exist"),
    ("id differs from file name", _set(["id"], "ingenieur-ml"), "E013", "must match the file name"),
    ("comparison without facts", _set(["comparisons", 0, "facts"], []), "E004", "comparisons[0].facts"),
    ("training kind unknown", _set(["training", 0, "kind"], "prepa"), "E004", "training[0].kind"),
]


@pytest.mark.parametrize("case, edit, code, fragment", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_sheet_is_refused(tmp_path, case, edit, code, fragment):
    directory = _broken_copy(tmp_path, edit)
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(directory)
    message = str(refused.value)
    assert f"[{code}]" in message
    assert fragment in message
    assert SHEET in message  # the operator is told which file


def test_error_points_at_the_line(tmp_path):
    directory = _broken_copy(tmp_path, ("    text: Des connaissances en ingénierie logicielle.", "    text: ''"))
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(directory)
    lines = (directory / SHEET).read_text().splitlines()
    expected = next(i for i, line in enumerate(lines, 1) if line == "    text: ''")
    assert f"(line {expected})" in str(refused.value)


def test_all_problems_are_reported_at_once(tmp_path):
    def edit(data):
        data["skills"][0]["aspects"] = ["astrologie"]
        data["missions"][0]["source"] = "Phrase absente du guide."
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge(_broken_copy(tmp_path, edit))
    assert len(refused.value.messages) == 2


def test_aspect_term_shared_by_two_aspects_is_refused(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    path = target / "aspects.yml"
    path.write_text(path.read_text().replace("terms: [anglais,", "terms: [python, anglais,"))
    with pytest.raises(KnowledgeError, match=r"\[E014\].*'python'"):
        load_knowledge(target)


def test_empty_directory_is_refused(tmp_path):
    shutil.copy(KNOWLEDGE_DIR / "aspects.yml", tmp_path / "aspects.yml")
    with pytest.raises(KnowledgeError, match=r"\[E011\]"):
        load_knowledge(tmp_path)


def test_every_error_message_keeps_its_code():
    for name in dir(Errors):
        if re.fullmatch(r"E\d{3}", name):
            assert getattr(Errors, name).startswith(f"[{name}]")


def test_second_metier_is_data_only(two_metier_dir):
    kb = load_knowledge(two_metier_dir)
    assert {"ingenieur-machine-learning", "boulanger"} <= set(kb.sheets)
    assert kb.find_job("boulangère").id == "boulanger"
