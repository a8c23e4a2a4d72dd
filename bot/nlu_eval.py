"""Score a trained model's intent classification on a held-out NLU file."""

from __future__ import annotations

import asyncio
import contextlib
import io
from dataclasses import dataclass
from pathlib import Path



@dataclass
class Scores:
    accuracy: float
    macro_f1: float
    errors: list[tuple[str, str, str]]  # (text, expected, predicted)
    total: int


def load_examples(path: Path) -> list[tuple[str, str]]:
    """(text, intent) pairs of a Rasa NLU YAML file (annotations stripped by Rasa's reader)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(Path(path).read_text(encoding="utf-8"))
    return [(m.get("text"), m.get("intent")) for m in data.intent_examples]


def score(expected: list[str], predicted: list[str], texts: list[str]) -> Scores:
    from sklearn.metrics import f1_score

    errors = [(t, e, p) for t, e, p in zip(texts, expected, predicted) if e != p]
    return Scores(
        accuracy=1 - len(errors) / len(expected),
        # Over the intents of the set: a fallback prediction counts as an error, not as a class.
        macro_f1=float(f1_score(expected, predicted, labels=sorted(set(expected)), average="macro", zero_division=0)),
        errors=errors,
        total=len(expected),
    )


def score_model(model: Path, examples: list[tuple[str, str]]) -> Scores:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    async def parse_all() -> list[str]:
        out = []
        for text, _ in examples:
            parsed = await agent.parse_message(text)
            out.append(parsed["intent"]["name"])
        return out

    # Rasa's processor prints a debug line per parse through structlog: keep it off the report.
    with contextlib.redirect_stdout(io.StringIO()):
        predicted = asyncio.run(parse_all())
    return score([i for _, i in examples], predicted, [t for t, _ in examples])


def score_tfidf_baseline(training_files: list[Path], examples: list[tuple[str, str]]) -> Scores:
    """The TF-IDF character n-gram + logistic regression baseline on the same training data."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from bot.text import fold

    train = [pair for f in training_files if "nlu:" in f.read_text(encoding="utf-8") for pair in load_examples(f)]
    clf = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), preprocessor=fold),
        LogisticRegression(max_iter=2000, C=10),
    )
    clf.fit([t for t, _ in train], [i for _, i in train])
    texts = [t for t, _ in examples]
    return score([i for _, i in examples], list(clf.predict(texts)), texts)


def nlu_training_files(home: Path) -> list[Path]:
    return sorted((home / "data" / "nlu").rglob("*.yml"))


if __name__ == "__main__":
    import sys

    home = Path(__file__).resolve().parents[1]
    examples = load_examples(home / "tests" / "data" / "nlu_dev.yml")
    result = score_model(home / "models" / "boussole.tar.gz", examples)
    base = score_tfidf_baseline(nlu_training_files(home), examples)
    for text, exp, got in result.errors:
        print(f"  {exp:>15} -> {got:<15} {text}")
    print(f"DIET accuracy {result.accuracy:.1%} macro-F1 {result.macro_f1:.3f} on {result.total}")
    print(f"TF-IDF baseline accuracy {base.accuracy:.1%} macro-F1 {base.macro_f1:.3f}")
    sys.exit(0)
