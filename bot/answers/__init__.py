"""Answer composition: the French reply to a question, built from the knowledge."""

from bot.answers.compose import Question, Reply, compose_answer

__all__ = ["Question", "Reply", "compose_answer"]
