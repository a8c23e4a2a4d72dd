"""`boussole report`: what the assistant failed on, read from Rasa's tracker store.

- store: the conversations' events, streamed from the tracker store's SQL table
- findings: turns rebuilt from the events, grouped by normalised question, ranked
- formats: the findings as a table, Rasa NLU YAML, CSV or JSON

Sender ids are read only to keep a conversation's events together; no output
holds one.
"""
