"""The report's fallback section shows the discovery requests Boussole failed on (bot/report/findings.py)."""

from __future__ import annotations

from bot.report.findings import Findings


def conversation(text: str, intent: str, confidence: float, missed: bool, at: float) -> list[dict]:
    return [
        {"event": "user", "text": text, "timestamp": at,
         "parse_data": {"intent": {"name": intent, "confidence": confidence},
                        "intent_ranking": [{"name": intent, "confidence": confidence}]}},
        {"event": "bot", "text": "Je peux vous proposer des métiers à explorer…", "timestamp": at + 0.1,
         "metadata": {"boussole": {"templates": ["DISCOVER_ASK"], "gaps": [], "discovery_missed": missed}}},
    ]


def test_a_discovery_request_whose_interest_nothing_resolved_is_in_the_fallback_section():
    findings = Findings()
    findings.add_conversation(conversation("j'adore le xylophone, quel métier ?", "discover", 0.97, True, 1.0))
    findings.add_conversation(conversation("je ne sais pas quoi faire", "discover", 0.98, False, 2.0))
    findings.add_conversation(conversation("/discover", "discover", 1.0, False, 3.0))
    rows = findings.ranked("fallback")
    assert [r["text"] for r in rows] == ["j'adore le xylophone, quel métier ?"]
    assert rows[0]["guessed_intent"] == "discover" and rows[0]["reply"].startswith("Je peux vous proposer")
