"""A wrong line of the discovery data is refused by `boussole check`, naming the file and the entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from bot.discovery.data_check import discovery_problems

KNOWLEDGE = Path(__file__).resolve().parents[2] / "data" / "knowledge"


def knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    (target / "index").mkdir(parents=True)
    shutil.copy(KNOWLEDGE / "index" / "rome-fiches.json", target / "index")
    shutil.copytree(KNOWLEDGE / "discovery", target / "discovery")
    shutil.copytree(KNOWLEDGE / "names", target / "names")
    return target


def test_the_shipped_discovery_data_is_valid():
    assert discovery_problems(KNOWLEDGE) == []


def test_an_unknown_centre_and_a_centre_without_button_are_named(tmp_path):
    target = knowledge_copy(tmp_path)
    path = target / "discovery" / "interests.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["words"]["licorne"] = [31]
    doc["groups"][0]["centres"].remove(17)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    problems = discovery_problems(target)
    assert f"[E037] {path}, words['licorne']: '31' is not a centre code" in problems[0]
    assert any("centre 17 has no group" in p for p in problems)


def test_a_bad_pattern_and_a_quiz_without_a_letter_are_named(tmp_path):
    target = knowledge_copy(tmp_path)
    levels = target / "discovery" / "study_levels.yml"
    levels.write_text(levels.read_text(encoding="utf-8").replace(r"'\bBEP\b'", "'(BEP'"), encoding="utf-8")
    quiz = target / "discovery" / "riasec.yml"
    doc = yaml.safe_load(quiz.read_text(encoding="utf-8"))
    del doc["letters"]["C"]
    quiz.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    problems = discovery_problems(target)
    assert any("study levels" in p and "levels[1] (cap): bad pattern" in p for p in problems)
    assert any("quiz" in p and "letters: missing C" in p for p in problems)
