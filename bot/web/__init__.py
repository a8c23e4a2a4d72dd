"""Public HTTP service (FastAPI): chat API, knowledge API, action webhook, health."""
