"""The public service stays up and answers in French when Rasa is unreachable."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.devtools.stack import free_port
from bot.settings import Settings
from bot.web.app import create_app


def test_rasa_down_gives_503_in_french(tmp_path):
    settings = Settings(rasa_port=free_port(), state_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/chat", json={"message": "bonjour"})
        assert response.status_code == 503
        assert response.json()["detail"].startswith("L'assistant est momentanément indisponible")
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["checks"]["rasa"]["ok"] is False
        assert client.get("/api/metiers").status_code == 200  # knowledge is still served
