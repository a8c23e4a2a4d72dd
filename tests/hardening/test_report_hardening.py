"""The report: CSV cells a spreadsheet would run as formulas are defused; `since` is bounded."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

import pytest

from bot.report.findings import Findings
from bot.report.formats import render, spreadsheet_safe
from bot.report.run import MAX_SINCE_DAYS, SinceOutOfRange, parse_since
from tests.conftest import ROOT
from tests.hardening.conftest import OPERATOR_TOKEN

FORMULAS = ['=HYPERLINK("https://evil.example","clic")', "+33 6 12", "-2+3", "@SUM(A1:A9)", "\tcaché", "\rretour"]


def conversation(*questions: str) -> list[dict]:
    events = []
    for at, text in enumerate(questions, start=1):
        events.append({"event": "user", "text": text, "timestamp": float(at),
                       "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.3},
                                      "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3},
                                                         {"name": "ask_salary", "confidence": 0.2}]}})
        events.append({"event": "bot", "text": "=1+1 Désolé, je n'ai pas compris.", "timestamp": at + 0.5})
    return events


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_starts_a_formula_is_quoted(value):
    assert spreadsheet_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["combien gagne un data scientist ?", "", "a=b", "2026-12-01T08:00:00Z", 3, 0.25, None])
def test_other_cells_are_left_alone(value):
    assert spreadsheet_safe(value) == value


def test_the_csv_report_holds_no_cell_a_spreadsheet_would_run():
    findings = Findings()
    findings.add_conversation(conversation(*FORMULAS, "une question ordinaire"))
    rows = list(csv.DictReader(io.StringIO(render(findings, "csv"), newline="")))
    texts = {row["text"] for row in rows}
    assert {"'" + f for f in FORMULAS} <= texts and "une question ordinaire" in texts
    cells = [cell for row in rows for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("value", ["99999999999d", "99999999999999999999999999h", f"{MAX_SINCE_DAYS + 1}d",
                                   f"{MAX_SINCE_DAYS * 24 + 1}h", "1969-12-31", "0001-01-01", "9999-12-31T23:59-14:00"])
def test_since_too_far_is_refused(value):
    with pytest.raises(ValueError):
        parse_since(value)


@pytest.mark.parametrize("value", ["99999999999d", f"{MAX_SINCE_DAYS + 1}d", "1969-12-31"])
def test_since_out_of_range_says_so(value):
    with pytest.raises(SinceOutOfRange):
        parse_since(value)


@pytest.mark.parametrize("value", [f"{MAX_SINCE_DAYS}d", "12h", "1970-01-02", "2026-12-01T08:00"])
def test_since_in_range_is_accepted(value):
    assert parse_since(value) > 0


@pytest.mark.parametrize("since, words", [
    ("99999999999d", "au plus 3650 jours"),
    ("0001-01-01", "une date (2026-12-01)"),
    ("hier", "une date (2026-12-01)"),
])
def test_the_api_refuses_a_bad_since_in_french(client, since, words):
    response = client.get("/api/report", params={"since": since}, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "invalid_since" and words in response.json()["detail"]


def test_the_command_refuses_a_bad_since_without_a_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--since", "99999999999d"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "BOUSSOLE_STATE_DIR": str(tmp_path)})
    assert result.returncode == 2, result.stderr
    assert "at most 3650d" in result.stderr and "Traceback" not in result.stderr
