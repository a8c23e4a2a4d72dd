"""The real stack (boussole run: FastAPI + Rasa) over HTTP on loopback."""

from __future__ import annotations

import httpx
import pytest

from bot.text import fold

pytestmark = pytest.mark.slow


def has(text, *words):
    return all(fold(w) in fold(text) for w in words)


@pytest.mark.parametrize("question, words", [
    ("c'est quoi le métier d'ingénieur machine learning ?", ["algorithmes", "données"]),
    ("que fait un ingé ML dans sa journée ?", ["algorithmes", "optimise"]),
    ("quelles boites embauchent des ML engineers ?", ["agence", "Google"]),
    ("quelles compétences pour devenir ingénieur ML ?", ["Python", "mathématiques", "anglais"]),
    ("quelle formation pour devenir ingénieur en apprentissage automatique ?", ["master", "Berkeley"]),
    ("combien gagne un ingénieur ML ?", ["50 k€", "brut", "Île-de-France"]),
    ("quelle différence entre un ML engineer et un data scientist ?", ["data scientist", "cas d'usage"]),
    ("le métier d'ingé ML a de l'avenir ?", ["meilleures opportunités"]),
    ("d'où viennent vos informations ?", ["Thomas Bodin"]),
    ("tu connais quels métiers ?", ["ingénieur en Machine Learning"]),
])
def test_each_topic_of_the_guide(chat, question, words):
    reply = chat().say_whole(question)  # « Voir plus » pressed to the end
    assert has(reply, *words), reply


def test_follow_ups_keep_the_job(chat):
    c = chat()
    assert has(c.say("c'est quoi exactement le métier d'ingé ML ?"), "algorithmes")
    assert has(c.say("et son salaire ?"), "50 k€")
    senior = c.say("et en senior ?")
    assert has(senior, "ne donne pas de salaire pour un profil senior"), senior
    assert has(c.say("quelles compétences faut-il ?"), "Python")
    assert has(c.say("source ?"), "Thomas Bodin", "«")


def test_out_of_scope_turn_does_not_lose_the_job(chat):
    c = chat()
    assert has(c.say("combien gagne un plombier ?"), "plombier")
    refusal = c.say("tu peux me donner la météo de demain ?")
    assert has(refusal, "métier") and "50" not in refusal
    again = c.say("et quelles études pour ce métier ?")
    assert has(again, "plombier") and "Berkeley" not in again


def test_a_fiche_then_the_listed_ones(chat):
    c = chat()
    reply = c.say("quel est le salaire d'un boulanger ?")
    assert has(reply, "Boulanger", "ne donne pas de salaire", "fiche D1102", "« Boulangers, pâtissiers »", "1 558 €")
    assert "50 k€" not in reply and "2 660" not in reply
    c.say("quels métiers connais-tu ?")
    # Several sheets and none picked yet: the question back, a button per métier.
    assert has(c.say("ok et ça paye combien ?"), "De quel métier") and "50" not in c.last["replies"][0]["text"]
    engineer = next(b for b in c.last["replies"][0]["buttons"] if b["title"] == "Ingénieur en Machine Learning")
    assert has(c.say(engineer["payload"]), "50 k€")


def test_small_talk(chat):
    c = chat()
    assert has(c.say("bonjour"), "Bonjour")
    assert has(c.say("tu es un humain ?"), "assistant virtuel")
    assert has(c.say("merci bcp"), "plaisir")


def test_quick_reply_payload(chat):
    c = chat()
    c.say("c'est quoi un ingé ML")
    buttons = c.last["replies"][0]["buttons"]
    salary = next(b for b in buttons if b["title"] == "Salaire")
    assert has(c.say(salary["payload"]), "50 k€")


def test_new_conversation_gets_a_fresh_unguessable_id(stack):
    ids = {httpx.post(f"{stack.url}/api/chat", json={"message": "salut"}).json()["conversation_id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) == 64 for i in ids)


@pytest.mark.parametrize("conversation_id", ["default", "a" * 64, "0" * 32 + "f" * 32, "../../etc"])
def test_client_cannot_choose_a_conversation(stack, conversation_id):
    response = httpx.post(f"{stack.url}/api/chat", json={"message": "salut", "conversation_id": conversation_id})
    assert response.status_code == 404
    assert has(response.json()["detail"], "conversation est inconnue")


@pytest.mark.parametrize("body, status, words", [
    (b"{pas du json", 400, ["JSON valide"]),
    (b"[]", 422, ["objet JSON"]),
    (b'"bonjour"', 422, ["objet JSON"]),
    (b"{}", 422, ["message", "obligatoire"]),
    (b'{"message": 42}', 422, ["message", "texte attendu"]),
    (b'{"message": "   "}', 422, ["message est vide"]),
    (b'{"message": "salut", "conversation_id": 7}', 422, ["conversation_id"]),
    (('{"message": "' + "a" * 5000 + '"}').encode(), 422, ["trop long", "2000"]),
    (('{"message": "' + "a" * 70000 + '"}').encode(), 413, ["trop volumineuse"]),
])
def test_bad_input_gets_a_french_4xx(stack, body, status, words):
    response = httpx.post(f"{stack.url}/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert has(response.json()["detail"], *words)


def test_unknown_routes_and_methods(stack):
    assert httpx.get(f"{stack.url}/nulle-part").json()["detail"] == "Cette adresse n'existe pas."
    assert httpx.get(f"{stack.url}/api/chat").status_code == 405


def test_metiers_api(stack):
    listed = httpx.get(f"{stack.url}/api/metiers").json()
    assert {m["id"] for m in listed["metiers"][:7]} == {"ingenieur-machine-learning", "data-scientist", "data-analyst",
                                                        "architecte-big-data", "data-manager", "statisticien",
                                                        "bio-informaticien"}
    assert listed["total"] == 7 + 1584
    found = httpx.get(f"{stack.url}/api/metiers", params={"q": "ingénieure big data"}).json()
    assert found["metiers"][0]["id"] == "data-scientist"
    sheet = httpx.get(f"{stack.url}/api/metiers/ingenieur-machine-learning").json()
    assert sheet["salary"]["figures"][0]["amount"] == 50000
    missing = httpx.get(f"{stack.url}/api/metiers/astronaute")
    assert missing.status_code == 404 and has(missing.json()["detail"], "astronaute")


def test_health_and_docs(stack):
    health = httpx.get(f"{stack.url}/health").json()
    assert health["status"] == "ok"
    assert health["checks"]["actions"]["registered"] == ["action_answer", "action_discover"]
    [server] = health["checks"]["rasa"]["servers"]
    assert server["url"] == stack.rasa_url and server["ok"] and server["model_file"].endswith(".tar.gz")
    assert httpx.get(f"{stack.url}/docs").status_code == 200
    assert "/api/chat" in httpx.get(f"{stack.url}/openapi.json").json()["paths"]


def test_rasa_api_is_behind_the_token(stack):
    assert httpx.get(f"{stack.rasa_url}/status").status_code == 401
    assert httpx.get(f"{stack.rasa_url}/status", params={"token": stack.token}).status_code == 200


def test_history_is_what_rasa_keeps(chat, stack):
    c = chat()
    c.say("bonjour")
    c.say("combien gagne un ingé ML ?")
    history = httpx.get(f"{stack.url}/api/conversations/{c.conversation_id}").json()["messages"]
    assert [m["role"] for m in history] == ["user", "bot", "user", "bot"]
    assert history[2]["text"] == "combien gagne un ingé ML ?" and "50\u00a0k€" in history[3]["text"]
    assert history[3]["buttons"]
    assert httpx.get(f"{stack.url}/api/conversations/{'0' * 64}").status_code == 404


def test_demo_page_and_widget_assets(stack):
    page = httpx.get(f"{stack.url}/")
    assert page.status_code == 200 and "assistant d'orientation" in page.text and "/widget.js" in page.text
    script = httpx.get(f"{stack.url}/widget.js")
    assert script.headers["content-type"].startswith("text/javascript") and "attachShadow" in script.text
    assert httpx.get(f"{stack.url}/widget.css").headers["content-type"].startswith("text/css")
