"""The boussole command: check refuses bad data precisely, ask talks to the service."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import KNOWLEDGE_DIR, ROOT


def boussole(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout,
    )


def test_check_passes_on_the_shipped_data():
    result = boussole("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check: knowledge and NLU data are valid" in result.stdout


def test_check_refuses_a_broken_sheet_with_file_field_and_line(tmp_path):
    broken = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, broken)
    sheet = broken / "ingenieur-machine-learning.yml"
    sheet.write_text(sheet.read_text().replace("      amount: 50000", "      amount: cinquante"))
    result = boussole("check", env={"BOUSSOLE_KNOWLEDGE_DIR": str(broken)})
    assert result.returncode == 1
    assert "[E004]" in result.stderr and "ingenieur-machine-learning.yml" in result.stderr
    assert "field 'salary.figures[0].amount' (line " in result.stderr


def test_bad_settings_are_refused_by_name_without_a_traceback():
    result = boussole("serve", env={"BOUSSOLE_RASA_TOKEN": "x", "BOUSSOLE_SHARED_STATE_URL": "http://cache:6379",
                                    "BOUSSOLE_RATE_LIMIT_NEW_BURST": "beaucoup"}, timeout=60)
    assert result.returncode == 2
    assert "error: BOUSSOLE_SHARED_STATE_URL: Redis URL must specify one of the following schemes" in result.stderr
    assert "error: BOUSSOLE_RATE_LIMIT_NEW_BURST: value is not a valid integer" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ask_prints_the_french_answer(stack):
    result = boussole("ask", "combien gagne un ingé ML débutant ?", "--url", stack.url, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "50\u00a0k€" in result.stdout and "[Missions]" in result.stdout  # typeset as every reply


def test_ask_without_service_says_how_to_start_it():
    result = boussole("ask", "bonjour", "--url", "http://127.0.0.1:9", timeout=60)
    assert result.returncode == 2 and "./run.sh" in result.stderr


def test_run_refuses_a_broken_sheet_before_starting_anything(tmp_path):
    from bot.devtools.stack import free_port
    from bot.rasa.process import port_in_use

    broken = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, broken)
    sheet = broken / "ingenieur-machine-learning.yml"
    sheet.write_text(sheet.read_text().replace("      amount: 50000", "      amount: cinquante"))
    port, rasa_port = free_port(), free_port()
    result = boussole("run", env={"BOUSSOLE_KNOWLEDGE_DIR": str(broken), "BOUSSOLE_PORT": str(port),
                                  "BOUSSOLE_RASA_PORT": str(rasa_port), "BOUSSOLE_STATE_DIR": str(tmp_path / "state")},
                      timeout=120)
    assert result.returncode == 1
    assert "[E004]" in result.stderr and "field 'salary.figures[0].amount' (line " in result.stderr
    assert "Traceback" not in result.stderr
    assert not port_in_use("127.0.0.1", port) and not port_in_use("127.0.0.1", rasa_port)  # no half-started service
