"""Rasa glue: everything that wraps Rasa Open Source itself.

- process: train the model and start `rasa run` as a child on loopback
- launcher: Rasa's own CLI with three resource fixes (the entry point of every Rasa process)
- channel: Rasa's REST channel plus the turn's intent, confidence and actions in headers
- stores: Rasa's tracker and lock stores (endpoints.yml variables, start-up check)
- store_guard: a tracker store error fails the turn (503) instead of Rasa's silent fallback

The product (knowledge, answers, public service) lives beside it in bot/.
"""
