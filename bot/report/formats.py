"""A report's findings as text for the operator: table, Rasa NLU YAML, CSV or JSON.

Headings are English (operator output); the questions, replies and facets
are the French people and Boussole wrote.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any, Optional

from bot.report.findings import FALLBACK_INTENT, Findings

FORMATS = ("table", "yaml", "csv", "json")
TITLES = {
    "fallback": "Not understood (nlu_fallback)",
    "out_of_scope": "Classified out of scope",
    "low_confidence": "Understood with low confidence (below {threshold:.2f})",
    "no_answer": "« Ma source ne dit rien » replies, by missing facet",
    "unhelpful": "Replies marked « pas utile »",
}
# The sections whose questions the YAML proposes as training examples.
TRAINING_SECTIONS = ("fallback", "out_of_scope", "low_confidence", "unhelpful")
TABLE_ROWS = 20  # per section; --format json or csv give them all


def _when(epoch: Optional[float]) -> str:
    if not epoch:
        return "-"
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def as_dict(findings: Findings, since: Optional[float]) -> dict[str, Any]:
    def dated(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "last_seen": _when(row["last_seen"]),
                 **({"questions": dated(row["questions"])} if "questions" in row else {})} for row in rows]

    return {
        "since": _when(since) if since else None,
        "conversations": findings.conversations,
        "turns": findings.turns,
        "first_turn": _when(findings.first_at),
        "last_turn": _when(findings.last_at),
        "threshold": findings.threshold,
        "fallback": dated(findings.ranked("fallback")),
        "out_of_scope": dated(findings.ranked("out_of_scope")),
        "low_confidence": dated(findings.ranked("low_confidence")),
        "no_answer": dated(findings.facets()),
        "unhelpful": dated(findings.ranked("unhelpful")),
    }


def render(findings: Findings, fmt: str, since: Optional[float] = None) -> str:
    report = as_dict(findings, since)
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return _csv(report)
    if fmt == "yaml":
        return _yaml(findings, report)
    return _table(report)


def _table(report: dict[str, Any]) -> str:
    out = [f"Boussole report: {_n(report['turns'], 'turn')} in {_n(report['conversations'], 'conversation')}, "
           f"{report['first_turn']} to {report['last_turn']}" + (f" (since {report['since']})" if report["since"] else "")]
    for section in ("fallback", "out_of_scope", "low_confidence", "unhelpful"):
        rows = report[section]
        out += ["", f"{TITLES[section].format(threshold=report['threshold'])}: "
                    f"{_n(sum(r['count'] for r in rows), 'turn')}, {_n(len(rows), 'distinct question')}"]
        if rows:
            out.append(f"  {'count':>5} {'convs':>5}  {'guessed intent':<16} {'conf':>5}  question")
        for row in rows[:TABLE_ROWS]:
            confidence = "-" if row["confidence"] is None else f"{row['confidence']:.2f}"
            out.append(f"  {row['count']:>5} {row['conversations']:>5}  {row['guessed_intent']:<16} {confidence:>5}  {row['text']}")
            if section == "unhelpful" and row["reply"]:
                out.append(f"  {'':>30}reply: {row['reply']}")
        if len(rows) > TABLE_ROWS:
            out.append(f"  … and {len(rows) - TABLE_ROWS} more (--format csv or json for all)")
    facets = report["no_answer"]
    out += ["", f"{TITLES['no_answer']}: {_n(sum(f['count'] for f in facets), 'turn')}, {_n(len(facets), 'facet')}"]
    for facet in facets[:TABLE_ROWS]:
        out.append(f"  {facet['count']:>5}  {facet['facet']}")
        for question in facet["questions"][:3]:
            out.append(f"  {'':>7}{question['count']:>3} × {question['text']}")
    return "\n".join(out) + "\n"


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): the questions
# come from anyone on the Internet, so such a cell is written with a leading quote, as OWASP advises.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value`, with a leading single quote if it is text a spreadsheet would take for a formula.

    Numbers stay numbers (a negative count or confidence cannot occur, and would not be text).
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _csv(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    columns = ["section", "facet", "text", "count", "conversations", "guessed_intent", "confidence", "reply", "last_seen"]
    # RFC 4180's CRLF: the writer then quotes a field holding a lone \r too, which "\n" alone let through
    # unquoted (a question with a carriage return broke its row in two).
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for section in ("fallback", "out_of_scope", "low_confidence", "unhelpful"):
        for row in report[section]:
            writer.writerow(_safe_row({"section": section, "facet": "", **row}))
    for facet in report["no_answer"]:
        for row in facet["questions"]:
            writer.writerow(_safe_row({"section": "no_answer", "facet": facet["facet"], **row}))
    return buffer.getvalue()


def _safe_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: spreadsheet_safe(value) for key, value in row.items()}


def _yaml(findings: Findings, report: dict[str, Any]) -> str:
    """Rasa NLU training data, written by Rasa's own writer: each question under the intent the model guessed."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples: dict[str, tuple[str, str]] = {}  # text -> (intent, section), first section wins
    for section in TRAINING_SECTIONS:
        for row in report[section]:
            if not row["text"].startswith("/") and row["guessed_intent"] and row["guessed_intent"] != FALLBACK_INTENT:
                examples.setdefault(row["text"], (row["guessed_intent"], section))
    header = [
        f"# Boussole report, {report['turns']} turns in {report['conversations']} conversations "
        f"({report['first_turn']} to {report['last_turn']}).",
        "# Questions the assistant failed on, each under the intent the model guessed: REVIEW every line",
        "# (move it under the right intent, or drop it) before pasting it into data/nlu/, and never paste",
        "# a sentence of a held-out set (tests/data/, ../shared/eval/).",
    ]
    if not examples:
        return "\n".join(header + ["# Nothing to propose: no failed question in this period.", 'version: "3.1"', "nlu: []"]) + "\n"
    messages = [Message.build(text=text, intent=intent) for text, (intent, _) in examples.items()]
    return "\n".join(header) + "\n" + RasaYAMLWriter().dumps(TrainingData(training_examples=messages))
