"""Custom Rasa actions (rasa_sdk). Thin: they read the tracker and call bot.answers."""
