"""Telegram webhook against the real stack and a local stand-in of the Bot API."""

from __future__ import annotations

import asyncio
import itertools
import time

import httpx
import pytest

from bot.channels.common import sender_id
from bot.channels.http_retry import MAX_ATTEMPTS
from bot.channels.shared_state import SharedState
from bot.web.identity import load_or_create_key
from bot.channels.telegram import CallbackTable, keyboard_rows, split_message
from bot.render.typography import plain_spaces
from tests.channels.conftest import TELEGRAM_SECRET
from tests.conftest import (CLARIFY_OPENING, DATA_SCIENTIST_WORD, ML_CONTEXT, NO_JOB_QUESTION, SHARED_NAME_OPENING,
                            SHARED_NAME_QUESTION, TOPIC_WORDS, UNSURE_QUESTION, WHICH_JOB_OPENING)

pytestmark = pytest.mark.slow
_update_ids = itertools.count(1000)
_chat_ids = itertools.count(500)


def update(chat_id, text=None, kind="message", chat_type="private", **extra):
    message = {"message_id": next(_update_ids), "date": int(time.time()),
               "from": {"id": chat_id, "is_bot": False, "first_name": "Léa"},
               "chat": {"id": chat_id, "type": chat_type}, **extra}
    if text is not None:
        message["text"] = text
    return {"update_id": next(_update_ids), kind: message}


def post(stack, body, secret=TELEGRAM_SECRET):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    return httpx.post(f"{stack.url}/channels/telegram", json=body, headers=headers, timeout=10)


def sent_to(recorder, chat_id):
    """The texts sent, read with ordinary spaces (test_reply_is_typeset… checks the spaces)."""
    return lambda: [plain_spaces(c["body"]["text"]) for c in recorder.of("sendMessage", chat_id=chat_id)]


def test_reply_is_typeset_in_french_with_the_source_as_an_html_link(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, "c'est quoi un plombier ?"))
    recorder.wait_for(sent_to(recorder, chat))
    raw = recorder.of("sendMessage", chat_id=chat)[0]["body"]
    assert raw["parse_mode"] == "HTML"
    assert "Source\u00a0: France Travail" in raw["text"] and " :" not in raw["text"] and "« " not in raw["text"]
    assert '<a href="https://candidat.francetravail.fr/metierscope/fiche-metier/F1603">fiche F1603 «\u00a0' in raw["text"]


def test_question_is_answered_in_french_in_the_right_chat(channel_stack, recorder):
    chat = next(_chat_ids)
    started = time.monotonic()
    response = post(channel_stack, update(chat, "combien gagne un ingé ML qui débute ?"))
    assert response.status_code == 200 and time.monotonic() - started < 2  # acknowledged at once
    texts = recorder.wait_for(sent_to(recorder, chat))
    assert "50 k€" in texts[0]
    assert recorder.of("sendChatAction", chat_id=chat, action="typing")
    keyboard = keys(recorder.of("sendMessage", chat_id=chat)[0])
    assert {b["text"] for b in keyboard} >= {"Missions", "Source"}
    assert all(len(b["callback_data"].encode()) <= 64 for b in keyboard)


@pytest.mark.parametrize("secret", [None, "wrong-secret", TELEGRAM_SECRET[:-1]])
def test_wrong_or_missing_secret_is_refused_and_nothing_is_sent(channel_stack, recorder, secret):
    chat = next(_chat_ids)
    response = post(channel_stack, update(chat, "bonjour"), secret=secret)
    assert response.status_code == 403
    time.sleep(1.0)
    assert not recorder.of("sendMessage", chat_id=chat) and not recorder.of("sendChatAction", chat_id=chat)
    assert TELEGRAM_SECRET not in channel_stack.tail(200)


def test_duplicate_update_is_answered_once(channel_stack, recorder):
    chat = next(_chat_ids)
    body = update(chat, "c'est quoi un ingénieur machine learning ?")
    assert post(channel_stack, body).status_code == 200
    assert post(channel_stack, body).status_code == 200
    recorder.wait_for(sent_to(recorder, chat))
    time.sleep(1.5)
    assert len(recorder.of("sendMessage", chat_id=chat)) == 1


def test_button_press_is_acknowledged_and_answered(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, "combien gagne un ingé ML ?"))
    recorder.wait_for(sent_to(recorder, chat))
    buttons = keys(recorder.of("sendMessage", chat_id=chat)[0])
    skills = next(b for b in buttons if b["text"] == "Compétences")
    query = {"update_id": next(_update_ids), "callback_query": {
        "id": "cbq-1", "from": {"id": chat, "is_bot": False, "first_name": "Léa"},
        "message": {"message_id": 1, "chat": {"id": chat, "type": "private"}, "date": 0, "text": "…"},
        "chat_instance": "42", "data": skills["callback_data"]}}
    assert post(channel_stack, query).status_code == 200
    recorder.wait_for(lambda: recorder.of("answerCallbackQuery", callback_query_id="cbq-1"))
    assert recorder.wait_for(lambda: [t for t in sent_to(recorder, chat)() if "Python" in t])


def test_rate_limit_is_honoured(channel_stack, recorder):
    chat = next(_chat_ids)
    recorder.fail("sendMessage", "429:2")
    post(channel_stack, update(chat, "bonjour"))
    recorder.wait_for(sent_to(recorder, chat), timeout=30)
    limited = recorder.of("sendMessage:429", chat_id=chat)
    delivered = recorder.of("sendMessage", chat_id=chat)
    assert limited and delivered[0]["at"] - limited[0]["at"] >= 1.9


@pytest.mark.parametrize("media", [
    {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
    {"sticker": {"file_id": "s1", "file_unique_id": "u2", "type": "regular", "width": 1, "height": 1, "is_animated": False, "is_video": False}},
    {"voice": {"file_id": "v1", "file_unique_id": "u3", "duration": 2}},
    {"document": {"file_id": "d1", "file_unique_id": "u4"}},
])
def test_media_gets_the_text_only_reply(channel_stack, recorder, media):
    chat = next(_chat_ids)
    assert post(channel_stack, update(chat, None, **media)).status_code == 200
    texts = recorder.wait_for(sent_to(recorder, chat))
    assert "que les messages texte" in texts[0]


def test_edited_message_is_not_a_new_turn(channel_stack, recorder):
    chat = next(_chat_ids)
    assert post(channel_stack, update(chat, "combien gagne un ingé ML ?", kind="edited_message")).status_code == 200
    texts = recorder.wait_for(sent_to(recorder, chat))
    assert "modifié" in texts[0] and "50" not in texts[0]


def test_conversation_keeps_its_context(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, "combien gagne un plombier ?"))
    recorder.wait_for(sent_to(recorder, chat))
    post(channel_stack, update(chat, "et il faut quelles études ?"))
    texts = recorder.wait_for(lambda: (t := sent_to(recorder, chat)()) and len(t) >= 2 and t)
    assert "Plombier" in texts[1] and "Berkeley" not in texts[1]


def test_start_and_aide_commands(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, "/start"))
    assert "Bonjour" in recorder.wait_for(sent_to(recorder, chat))[0]
    post(channel_stack, update(chat, "/aide"))
    texts = recorder.wait_for(lambda: (t := sent_to(recorder, chat)()) and len(t) >= 2 and t)
    assert "Je suis Boussole" in texts[1]


def test_group_messages_only_when_addressed(channel_stack, recorder):
    chat = -next(_chat_ids)
    post(channel_stack, update(chat, "quelqu'un a vu le match ?", chat_type="group"))
    post(channel_stack, update(chat, None, chat_type="group", photo=[{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]))
    time.sleep(1.5)
    assert not recorder.of("sendMessage", chat_id=chat)
    post(channel_stack, update(chat, "@BoussoleBot combien gagne un ingé ML ?", chat_type="group"))
    assert "50 k€" in recorder.wait_for(sent_to(recorder, chat))[0]


def test_malformed_update_with_the_right_secret(channel_stack):
    """Acknowledged, not refused: Telegram resends whatever did not get a 2xx (the cases: test_telegram_faults.py)."""
    response = httpx.post(f"{channel_stack.url}/channels/telegram", content=b"{oops",
                          headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert response.status_code == 200
    assert "telegram.update.malformed" in channel_stack.tail(50) and "Traceback" not in channel_stack.tail(50)


# --- failing Bot API calls lose no turn (item 6 of issue 17; fast variants in test_telegram_faults.py) ---

def user_texts_in_rasa(stack, chat) -> list[str]:
    """What Rasa's tracker has of the chat's conversation: the user's texts, in order."""
    sender = sender_id(load_or_create_key(stack.state_dir), "telegram", str(chat))
    response = httpx.get(f"{stack.rasa_url}/conversations/{sender}/tracker", params={"token": stack.token}, timeout=30)
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


@pytest.mark.parametrize("fault", ["500", "reset", "timeout"])
def test_a_failed_typing_call_still_answers_and_saves_the_turn(channel_stack, recorder, fault):
    chat = next(_chat_ids)
    recorder.fail("sendChatAction", fault)
    assert post(channel_stack, update(chat, "combien gagne un ingé ML ?")).status_code == 200
    assert "50 k€" in recorder.wait_for(sent_to(recorder, chat), timeout=40)[0]
    assert recorder.of(f"sendChatAction:{fault}", chat_id=chat)
    assert user_texts_in_rasa(channel_stack, chat) == ["combien gagne un ingé ML ?"]


def test_a_reply_that_fails_twice_arrives_once_on_the_stack(channel_stack, recorder):
    chat = next(_chat_ids)
    recorder.fail("sendMessage", "500", "reset")
    post(channel_stack, update(chat, "combien gagne un ingé ML ?"))
    recorder.wait_for(sent_to(recorder, chat), timeout=40)
    time.sleep(1.0)
    assert len(recorder.of("sendMessage", chat_id=chat)) == 1
    assert recorder.of("sendMessage:500", chat_id=chat) and recorder.of("sendMessage:reset", chat_id=chat)


def test_a_reply_that_never_gets_through_is_logged_and_the_service_goes_on(channel_stack, recorder):
    chat = next(_chat_ids)
    recorder.fail_always("sendMessage", "500")
    post(channel_stack, update(chat, "combien gagne un plombier ?"))
    recorder.wait_for(lambda: len(recorder.of("sendMessage:500", chat_id=chat)) >= MAX_ATTEMPTS, timeout=40)
    recorder.wait_for(lambda: "channel.reply.undelivered channel=telegram" in channel_stack.tail(200))
    line = next(l for l in channel_stack.tail(200).splitlines() if "channel.reply.undelivered channel=telegram" in l)
    assert " ERROR " in line and "plombier" not in line and str(chat) not in line
    assert user_texts_in_rasa(channel_stack, chat) == ["combien gagne un plombier ?"]
    recorder.always.clear()
    post(channel_stack, update(chat, "et il faut quelles études ?"))
    assert "Plombier" in recorder.wait_for(sent_to(recorder, chat), timeout=40)[0]


def test_health_lists_the_channels(channel_stack):
    assert httpx.get(f"{channel_stack.url}/health").json()["channels"] == {"telegram": "on", "slack": "on"}


# --- pure parts -----------------------------------------------------------------

def test_long_replies_are_split_under_4096():
    text = "\n".join(f"Ligne {i} " + "é" * 60 for i in range(200))
    pieces = split_message(text)
    assert len(pieces) > 1 and all(len(p) <= 4096 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")


def test_long_titles_get_a_row_each_and_short_ones_share_rows_of_three():
    titles = ["Vendeur / Vendeuse en animalerie", "Aide d'élevage agricole", "CAP", "Bac", "Bac + 2", "Bac + 3",
              "D'autres idées", "Autre thème"]
    rows = keyboard_rows([{"text": t} for t in titles])
    assert [[k["text"] for k in row] for row in rows] == [
        ["Vendeur / Vendeuse en animalerie"], ["Aide d'élevage agricole", "CAP", "Bac"], ["Bac + 2", "Bac + 3",
                                                                                            "D'autres idées"],
        ["Autre thème"]]


def test_long_payloads_go_through_the_table():
    table = CallbackTable(SharedState())
    long_payload = '/ask_salary{"job": "ingenieur-machine-learning", "experience_level": "junior"}'

    async def round_trip() -> None:
        data = await table.encode(long_payload)
        assert len(data.encode()) <= 64 and await table.decode(data) == long_payload
        assert await table.encode("/ask_skills") == "/ask_skills"
        assert await table.decode("#unknown") is None  # the press gets the "expired button" notice

    asyncio.run(round_trip())


def keys(sent):
    """The buttons of a sent message, row after row."""
    return [b for row in sent["body"]["reply_markup"]["inline_keyboard"] for b in row]


def press(chat, callback_data, query_id):
    return {"update_id": next(_update_ids), "callback_query": {
        "id": query_id, "from": {"id": chat, "is_bot": False, "first_name": "Léa"},
        "message": {"message_id": 1, "chat": {"id": chat, "type": "private"}, "date": 0, "text": "…"},
        "chat_instance": "42", "data": callback_data}}


def test_an_unsure_question_gets_topic_buttons_and_a_press_answers_it(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, ML_CONTEXT))
    recorder.wait_for(sent_to(recorder, chat))
    post(channel_stack, update(chat, UNSURE_QUESTION))
    assert recorder.wait_for(lambda: sent_to(recorder, chat)()[1:])[0].startswith(CLARIFY_OPENING)
    keyboard = keys(recorder.of("sendMessage", chat_id=chat)[1])
    assert 2 <= len(keyboard) <= 3
    first = keyboard[0]
    assert post(channel_stack, press(chat, first["callback_data"], "cbq-clarify")).status_code == 200
    word = next(w for p, w in TOPIC_WORDS.items() if first["callback_data"].startswith(p))
    assert recorder.wait_for(lambda: [t for t in sent_to(recorder, chat)() if word in t])


def test_a_question_naming_no_metier_gets_a_button_per_sheet_and_a_press_answers(channel_stack, recorder, kb):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, NO_JOB_QUESTION))
    assert recorder.wait_for(sent_to(recorder, chat))[0].startswith(WHICH_JOB_OPENING)
    sent = recorder.of("sendMessage", chat_id=chat)[0]
    buttons = keys(sent)
    assert len(buttons) == len(kb.sheets) and all(len(row) <= 3 for row in sent["body"]["reply_markup"]["inline_keyboard"])
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    scientist = next(b for b in buttons if b["text"] == "Data scientist")
    assert post(channel_stack, press(chat, scientist["callback_data"], "cbq-which")).status_code == 200
    assert recorder.wait_for(lambda: [t for t in sent_to(recorder, chat)() if DATA_SCIENTIST_WORD in t])


def test_a_name_several_fiches_share_gets_a_button_each_and_a_press_answers_that_fiche(channel_stack, recorder, kb):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, SHARED_NAME_QUESTION))
    assert SHARED_NAME_OPENING in recorder.wait_for(sent_to(recorder, chat))[0]
    buttons = keys(recorder.of("sendMessage", chat_id=chat)[0])
    assert 2 <= len(buttons) <= 5 and all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    assert post(channel_stack, press(chat, buttons[0]["callback_data"], "cbq-shared")).status_code == 200
    answered = recorder.wait_for(lambda: sent_to(recorder, chat)()[1:])[0]
    assert "fiche-metier/" in answered and "salaire" in answered



def test_discovery_leads_by_two_presses_to_five_metiers_and_a_press_gives_one(channel_stack, recorder):
    chat = next(_chat_ids)
    post(channel_stack, update(chat, "je ne sais pas quoi faire"))
    assert "Qu'est-ce qui vous attire" in recorder.wait_for(sent_to(recorder, chat))[0]
    for n, title in enumerate(["Nature, animaux, sport", "Les animaux"], start=1):
        key = next(b for b in keys(recorder.of("sendMessage", chat_id=chat)[-1]) if b["text"] == title)
        assert len(key["callback_data"].encode()) <= 64
        assert post(channel_stack, press(chat, key["callback_data"], f"cbq-discover-{n}")).status_code == 200
        recorder.wait_for(lambda: sent_to(recorder, chat)()[n:])
    suggestions = sent_to(recorder, chat)()[2]
    assert suggestions.count("France Travail associe ce métier au centre d'intérêt") == 5
    metier = keys(recorder.of("sendMessage", chat_id=chat)[2])[0]
    assert post(channel_stack, press(chat, metier["callback_data"], "cbq-discover-3")).status_code == 200
    assert "fiche-metier/" in recorder.wait_for(lambda: sent_to(recorder, chat)()[3:])[0]
