"""Métier knowledge: the sheet schema, its validating loader and lookups."""

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.loader import load_knowledge, shared_knowledge
from bot.knowledge.schema import Fact, Sheet

__all__ = ["Fact", "KnowledgeBase", "Sheet", "load_knowledge", "shared_knowledge"]
