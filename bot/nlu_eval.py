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


def load_job_examples(path: Path) -> list[tuple[str, list[str]]]:
    """(text, job values as annotated) of a Rasa NLU YAML file."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().reads(Path(path).read_text(encoding="utf-8"))
    return [(m.get("text"), [e["value"] for e in m.get("entities") or [] if e.get("entity") == "job"])
            for m in data.intent_examples]


@dataclass
class JobScores:
    accuracy: float  # sentences whose métiers were all found, and nothing else
    recall: dict  # per kind of métier ("sheet", "index", "unknown"): (found, total)
    errors: list[tuple[str, list[str], list[str]]]  # (text, expected ids, found ids)


def job_id(kb, value: str) -> str:
    """What a job name designates through the resolver: a sheet id, a ROME code, or "?name"."""
    from bot.text import fold

    found = [m for m in kb.finder.find("", [value]) if m.metiers]
    return found[0].metiers[0] if found else f"?{fold(value)}"


def score_jobs(agent, kb, examples: list[tuple[str, list[str]]]) -> JobScores:
    """How often the métiers of a sentence are recognised the way the answers resolve them."""
    from bot.answers.message import question_from_message
    from bot.answers.turn import resolve_turn
    from bot.text import fold

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(text) for text, _ in examples]

    with contextlib.redirect_stdout(io.StringIO()):
        parsed = asyncio.run(parse_all())
    recall: dict = {}
    errors = []
    for (text, values), message in zip(examples, parsed):
        turn = resolve_turn(kb, question_from_message(message, kb))
        found = {*turn.metiers, *turn.choices[:1], *([f"?{fold(turn.unknown)}"] if turn.unknown else [])}
        expected = {job_id(kb, v) for v in values}
        for wanted in expected:
            kind = "sheet" if wanted in kb.sheets else "unknown" if wanted.startswith("?") else "rome"
            hit, total = recall.get(kind, (0, 0))
            recall[kind] = (hit + (wanted in found), total + 1)
        if found != expected:
            errors.append((text, sorted(expected), sorted(found)))
    return JobScores(1 - len(errors) / len(examples), recall, errors)


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


def load_agent(model: Path):
    from rasa.core.agent import Agent

    return Agent.load(str(model))


def score_model(model, examples: list[tuple[str, str]]) -> Scores:
    """Intent scores of a model (a path, or an Agent already loaded) on (text, intent) pairs."""
    agent = load_agent(model) if isinstance(model, (str, Path)) else model

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


def training_texts(home: Path) -> list[str]:
    """Every intent example of the training data, folded."""
    from bot.text import fold

    return [fold(t) for f in nlu_training_files(home) if "intent:" in f.read_text(encoding="utf-8")
            for t, _ in load_examples(f)]


# Two folded sentences this similar (difflib ratio) are one sentence reworded by a letter or two.
NEAR_COPY_RATIO = 0.9


def near_copies(texts: list[str], others: list[str]) -> list[tuple[str, str]]:
    """(text, other) pairs where a text of `texts` is, once folded, a copy or near-copy of one of `others`.

    difflib's ratio depends on the order of its two strings: both orders are tried.
    """
    from difflib import SequenceMatcher

    from bot.text import fold

    pool = sorted(set(others))
    exact = set(pool)
    found = []
    for text in texts:
        key = fold(text)
        if key in exact:
            found.append((text, key))
            continue
        matcher = SequenceMatcher(b=key)
        for other in pool:
            matcher.set_seq1(other)
            if (matcher.real_quick_ratio() >= NEAR_COPY_RATIO and matcher.quick_ratio() >= NEAR_COPY_RATIO
                    and max(matcher.ratio(), SequenceMatcher(None, key, other).ratio()) >= NEAR_COPY_RATIO):
                found.append((text, other))
                break
    return found


def load_external(path: Path) -> list[tuple[str, str]]:
    """(text, intent) of the single-turn cases of ../shared/eval/questions_fr.yml."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return [(case["text"], case["intent"]) for case in data["single_turn"]]


def metiers_set(home: Path) -> Path:
    return home / "tests" / "data" / "nlu_metiers.yml"


def held_out_sets(home: Path) -> dict[str, list[tuple[str, str]]]:
    """The sets no training sentence may come from: dev, fresh and (when ../shared is there) external."""
    sets = {
        "dev": load_examples(home / "tests" / "data" / "nlu_dev.yml"),
        "fresh": load_examples(home / "tests" / "data" / "nlu_fresh.yml"),
        "metiers": load_examples(metiers_set(home)),
    }
    external = home.resolve().parent / "shared" / "eval" / "questions_fr.yml"
    if external.exists():
        sets["external"] = load_external(external)
    return sets


def print_scores(model: Path, home: Path, errors: bool = False) -> dict[str, Scores]:
    """Accuracy and macro-F1 of the model and of the TF-IDF baseline on every held-out set."""
    results = {}
    agent = load_agent(model)
    for name, examples in held_out_sets(home).items():
        diet = score_model(agent, examples)
        base = score_tfidf_baseline(nlu_training_files(home), examples)
        results[name] = diet
        if errors:
            for text, exp, got in diet.errors:
                print(f"  {name:>8} {exp:>15} -> {got:<15} {text}")
        print(f"{name + ' set':>13} ({diet.total:>3}): DIET accuracy {diet.accuracy:6.1%} macro-F1 {diet.macro_f1:.3f}"
              f" | TF-IDF baseline {base.accuracy:6.1%} macro-F1 {base.macro_f1:.3f}", flush=True)
    print_job_scores(agent, home, errors)
    return results


def print_job_scores(agent, home: Path, errors: bool = False) -> JobScores:
    """Métiers recognised in the métiers set, by kind: with a sheet, in ONISEP's index only, in neither."""
    from bot.knowledge import load_knowledge

    kb = load_knowledge(home / "data" / "knowledge")
    jobs = score_jobs(agent, kb, load_job_examples(metiers_set(home)))
    if errors:
        for text, expected, found in jobs.errors:
            print(f"  jobs {expected} -> {found} {text}")
    kinds = ", ".join(f"{kind} {hit}/{total}" for kind, (hit, total) in sorted(jobs.recall.items()))
    print(f"{'métiers':>13} ({sum(t for _, t in jobs.recall.values()):>3}): jobs recognised in {jobs.accuracy:6.1%}"
          f" of sentences | by kind: {kinds}", flush=True)
    # Small talk and out-of-scope sentences of the other sets name no métier: one found there is
    # a common word taken for a job (« garde », « facteur »), or a name several fiches share.
    others = [(t, []) for name, examples in held_out_sets(home).items() if name != "metiers"
              for t, intent in examples if not (intent.startswith("ask_") or intent == "list_jobs")]
    stray = [(text, found) for text, _, found in score_jobs(agent, kb, others).errors
             if any(not f.startswith("?") for f in found)]
    if errors:
        for text, found in stray:
            print(f"  stray index job {found} {text}")
    print(f"{'stray':>13} ({len(others):>3}): {len(stray)} small-talk or out-of-scope sentences get a métier",
          flush=True)
    return jobs


if __name__ == "__main__":
    # .venv/bin/python -m bot.nlu_eval [model.tar.gz] [-v]: the figures on every held-out set.
    import sys

    home = Path(__file__).resolve().parents[1]
    args = [a for a in sys.argv[1:] if a != "-v"]
    print_scores(Path(args[0]) if args else home / "models" / "boussole.tar.gz", home, errors="-v" in sys.argv)
