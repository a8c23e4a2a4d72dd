"""The métier-name resolver on synthetic variants of ROME's job titles: the development set.

    .venv/bin/python bench/resolve_variants.py [--count 600] [--seed 7] [-v]

The frozen held-out set (bench/resolve_names.py) says how good the resolver is;
it is never tuned against. This set is for finding what to fix: job titles drawn
at random from ROME 4.0, written the ways people write them (lower case, no
accents, feminine, plural, a typo, SMS, inside a long sentence), in sentence
frames of bench/data/resolve_frames.yml. A variant is right when the resolver's
first métier is the title's fiche, or when it asks among métiers that include it.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import yaml

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))

from bot.knowledge import load_knowledge  # noqa: E402
from bot.knowledge.catalogue import gender_forms  # noqa: E402
from bot.text import fold  # noqa: E402

FRAMES = HOME / "bench" / "data" / "resolve_frames.yml"


def typo(word: str, rng: random.Random) -> str:
    """One letter dropped, doubled or swapped with the next letter, never the first."""
    places = [i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()]
    if len(word) < 6 or not places:
        return word
    i = rng.choice(places)
    kind = rng.choice(("drop", "double", "swap"))
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def plural(name: str) -> str:
    """The head word in the plural, the way people write it (« plombiers chauffagistes » aside)."""
    words = name.split()
    head = words[0]
    if not head.endswith(("s", "x", "z")):
        head += "x" if head.endswith(("eau", "au")) else "s"
    return " ".join([head, *words[1:]])


def variants(fiche: dict, title: dict, rng: random.Random, frames: dict) -> list[tuple[str, str]]:
    masculine, *rest = gender_forms(title["label"])
    feminine = rest[0] if rest else masculine
    name = masculine.lower()
    longest = max(name.split(), key=len)
    forms = {
        "plain": name,
        "no_accents": fold(name),
        "feminine": feminine.lower(),
        "plural": plural(name),
        "typo": name.replace(longest, typo(longest, rng), 1),
        "sms": fold(name),
        "long_sentence": name,
    }
    out = []
    for style, form in forms.items():
        frame = rng.choice(frames[style])
        out.append((style, frame.format(name=form)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600, help="job titles drawn")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    kb = load_knowledge(HOME / "data" / "knowledge")
    finder = kb.finder
    frames = yaml.safe_load(FRAMES.read_text(encoding="utf-8"))
    rng = random.Random(args.seed)
    titles = [(code, t) for code, f in sorted(kb.fiches.items()) for t in f["titles"] if not t.get("rare")]
    drawn = rng.sample(titles, min(args.count, len(titles)))

    right, total = Counter(), Counter()
    misses = defaultdict(list)
    for code, title in drawn:
        for style, text in variants(kb.fiches[code], title, rng, frames):
            mentions = [m for m in finder.find(text) if not m.own]
            first = mentions[0] if mentions else None
            sheet_codes = {s.id for s in kb.sheets.values() if code in s.rome_codes}
            ok = first is not None and bool(set(first.metiers[:5]) & ({code} | sheet_codes)) and (
                first.resolved and first.metiers[0] in {code} | sheet_codes or first.ambiguous)
            total[style] += 1
            right[style] += ok
            if not ok:
                misses[style].append((text, code, title["label"], first and (first.written, first.metiers[:3])))
    all_right, all_total = sum(right.values()), sum(total.values())
    print(f"variants resolved right: {all_right}/{all_total} = {all_right / all_total:.1%} "
          f"({len(drawn)} titles, seed {args.seed})")
    for style in total:
        print(f"  {style:14} {right[style]:4}/{total[style]:<4} = {right[style] / total[style]:.1%}")
    if args.verbose:
        for style, rows in misses.items():
            for text, code, label, got in rows:
                print(f"  miss [{style}] {text!r} ({code} {label}): got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
