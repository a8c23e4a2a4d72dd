"""POST /api/chat's per-address limits through the real app (FastAPI's TestClient, no Rasa: allowed turns get 503)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.web.app import create_app


def test_the_turns_of_all_conversations_of_an_address_are_capped(settings_for):
    app = create_app(settings_for(rate_limit_address_burst=3, rate_limit_address_per_second=0.2))
    with TestClient(app, client=("192.0.2.1", 50000)) as client:
        ids = app.state.boussole.ids
        statuses = [client.post("/api/chat", json={"message": "bonjour", "conversation_id": ids.new()}).status_code
                    for _ in range(3)]
        assert statuses == [503] * 3  # allowed, then Rasa is nowhere
        refused = client.post("/api/chat", json={"message": "bonjour", "conversation_id": ids.new()})
        assert refused.status_code == 429 and refused.headers["retry-after"] == "5"
        assert refused.json() == {
            "detail": "Trop de messages depuis votre réseau en peu de temps : patientez 5 s avant de réessayer.",
            "code": "rate_limited"}
        assert client.post("/api/chat", json={"message": "bonjour"}).status_code == 429  # new ones too
    with TestClient(app, client=("198.51.100.7", 50000)) as other:
        assert other.post("/api/chat", json={"message": "bonjour"}).status_code == 503  # not another address


def test_forged_ids_get_404_and_leave_new_conversations_to_their_address(settings_for):
    app = create_app(settings_for(rate_limit_new_burst=2, rate_limit_new_per_second=0.01))
    with TestClient(app, client=("192.0.2.1", 50000)) as client:
        for forged in ["f" * 64, "0" * 64, "default"] * 20:
            response = client.post("/api/chat", json={"message": "bonjour", "conversation_id": forged})
            assert response.status_code == 404 and response.json()["code"] == "unknown_conversation"
        assert [client.post("/api/chat", json={"message": "bonjour"}).status_code for _ in range(3)] == [503, 503, 429]
