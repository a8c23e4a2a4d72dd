"""Messaging-channel adapters (Telegram, Slack) served by the public service.

Each adapter checks the platform's secret or signature, acknowledges at
once, and runs the turn in the background through the same Rasa client as
/api/chat. A channel without its token is off.
"""
