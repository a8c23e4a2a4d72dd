"""GET /api/metiers: every métier (sheets and ROME 4.0 fiches), paginated, searched by any name; one with its sources."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app

SHEETS = ["ingenieur-machine-learning", "data-scientist", "data-analyst", "architecte-big-data", "data-manager",
          "statisticien", "bio-informaticien"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from bot.devtools.stack import free_port
    from bot.settings import Settings

    settings = Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("metiers"))
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_list_holds_every_sheet_then_every_rome_fiche_page_by_page(client):
    first = client.get("/api/metiers").json()
    assert first["total"] == len(SHEETS) + 1584 and first["page"] == 1 and first["per_page"] == 50
    assert {m["id"] for m in first["metiers"][:7]} == set(SHEETS)
    assert first["metiers"][7]["id"] == "A1101" and first["metiers"][7]["source"] == "Source : France Travail, ROME 4.0"
    last = client.get("/api/metiers", params={"page": 16, "per_page": 100}).json()
    assert len(last["metiers"]) == 1591 - 1500 and last["metiers"][-1]["id"].startswith("N")
    assert client.get("/api/metiers", params={"page": 99}).json()["metiers"] == []


@pytest.mark.parametrize("q, expected", [
    ("kiné", "J1404"),
    ("développeuses web", "M1855"),
    ("plombier", "F1603"),
    ("data scientist", "data-scientist"),  # a sheet before the ROME fiche of the same name
    ("infirmiere en bloc operatoire", "J1504"),
])
def test_q_finds_a_metier_by_any_of_its_names(client, q, expected):
    found = client.get("/api/metiers", params={"q": q}).json()
    assert found["total"] >= 1 and found["metiers"][0]["id"] == expected, found


def test_q_with_a_name_nobody_knows_finds_nothing(client):
    assert client.get("/api/metiers", params={"q": "dresseur de licornes"}).json() == {
        "total": 0, "page": 1, "per_page": 50, "metiers": []}


def test_a_rome_fiche_comes_with_its_facts_and_its_source(client):
    fiche = client.get("/api/metiers/m1855").json()
    assert fiche["code"] == "M1855" and fiche["definition"] and fiche["access"] and fiche["skills"]
    assert fiche["source"]["credit"] == "Source : France Travail, ROME 4.0"
    assert fiche["source"]["url"] == "https://candidat.francetravail.fr/metierscope/fiche-metier/M1855"
    assert client.get("/api/metiers/ingenieur-machine-learning").json()["salary"]["figures"][0]["amount"] == 50000


@pytest.mark.parametrize("params, field", [({"per_page": 0}, "per_page"), ({"per_page": 101}, "per_page"),
                                           ({"page": "deux"}, "page"), ({"q": "x" * 201}, "q")])
def test_bad_parameters_get_a_french_422(client, params, field):
    response = client.get("/api/metiers", params=params)
    assert response.status_code == 422 and response.json()["detail"].startswith(f"Paramètre « {field} » : "), response.json()


def test_an_unknown_id_gets_a_french_404_pointing_to_the_search(client):
    response = client.get("/api/metiers/astronaute")
    assert response.status_code == 404 and response.json()["code"] == "unknown_metier"
    assert "« astronaute »" in response.json()["detail"] and "/api/metiers?q=" in response.json()["detail"]
