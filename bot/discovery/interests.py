"""Which of France Travail's 30 centres d'intérêt a sentence speaks of (« j'adore les animaux » → 17).

Words come from data only: the centres' labels and definitions (the imported ROME file) and the
everyday words of data/knowledge/discovery/interests.yml. The text goes through the name resolver's
one normalisation (bot/resolve/names.py: case, accents, SMS forms, plural); a word also matches its
longer forms and its typos. An interest said with a negation before it (« pas les chiffres ») is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge import rome
from bot.resolve.names import Grammar

INTERESTS_FILE = Path("discovery") / "interests.yml"

# Weights: an everyday word of the data file, its first centre / the others; a word of a centre's
# label; a word only one or two centres' definitions use.
WORD_FIRST, WORD_OTHER, LABEL_WORD, DEFINITION_WORD = 2.0, 1.0, 1.5, 0.5
# A definition word counts only when at most this many centres' definitions use it.
DEFINITION_MAX_CENTRES = 2
# A centre is resolved from this score: one everyday or label word, or two definition words.
MIN_SCORE = 1.0
# Centres within this share of the best score are resolved with it (« les animaux et la nature »).
KEEP_SHARE = 0.75
# Words before an interest that a negation may stand in; shorter words are never matched loosely.
NEGATION_WINDOW = 3
LOOSE_MIN_LETTERS = 5
# A typo is one letter wrong (two from this many letters), never the first letter.
TWO_TYPOS_MIN_LETTERS = 10


@dataclass(frozen=True)
class Centre:
    code: str
    label: str  # France Travail's (« J'aime m'occuper des animaux »)
    short: str  # a button's title (« Les animaux »)


@dataclass(frozen=True)
class Group:
    title: str
    centres: tuple[str, ...]


class InterestFinder:
    def __init__(self, grammar: Grammar, centres: Mapping[str, Centre], groups: Sequence[Group],
                 lexicon: Mapping[tuple, Mapping[str, float]], negations: Iterable[str], loose: Iterable[str],
                 real_words: Iterable[str] = ()):
        self.grammar = grammar
        self.centres = dict(centres)
        self.groups = list(groups)
        self.lexicon = dict(lexicon)
        self.negations = frozenset(negations)
        self._loose = sorted(set(loose), key=len, reverse=True)  # single words matched by form or typo
        self._longest = max((len(k) for k in self.lexicon), default=1)
        # Words of French prose (the fiches' sentences): real words, never read as a typo (« toute » is no
        # « route », « changer » no « chanter »).
        self.real_words = frozenset(real_words)

    @classmethod
    def load(cls, knowledge_dir: Union[str, Path], real_words: Iterable[str] = ()) -> "InterestFinder":
        """`real_words`: words of French prose never corrected as typos (the name index's prose words)."""
        knowledge_dir = Path(knowledge_dir)
        grammar = Grammar.load(knowledge_dir)
        doc = yaml.safe_load((knowledge_dir / INTERESTS_FILE).read_text(encoding="utf-8")) or {}
        imported = {str(c["code"]): c for c in rome.load_interests(knowledge_dir)}
        short = {str(k): str(v) for k, v in (doc.get("short") or {}).items()}
        centres = {code: Centre(code, c["label"], short.get(code, c["label"])) for code, c in imported.items()}
        filler = {w for item in doc.get("filler") or () for w in grammar.words(str(item))}
        lexicon: dict[tuple, dict[str, float]] = {}

        def add(key: tuple, code: str, weight: float) -> None:
            if key and code in centres:
                lexicon.setdefault(key, {})
                lexicon[key][code] = max(lexicon[key].get(code, 0.0), weight)

        for code, c in imported.items():
            for word in set(grammar.words(c["label"])) - filler:
                add((word,), code, LABEL_WORD)
        users: dict[str, set[str]] = {}
        for code, c in imported.items():
            for word in set(grammar.words(c.get("definition") or "")) - filler:
                if len(word) >= LOOSE_MIN_LETTERS:
                    users.setdefault(word, set()).add(code)
        for word, codes in users.items():
            if len(codes) <= DEFINITION_MAX_CENTRES and (word,) not in lexicon:
                for code in codes:
                    add((word,), code, DEFINITION_WORD)
        loose = [k[0] for k, v in lexicon.items() if len(k) == 1 and max(v.values()) > DEFINITION_WORD]
        for phrase in doc.get("ignore") or ():  # said without an interest (« au secours »): matched, worth nothing
            lexicon[tuple(grammar.words(str(phrase)))] = {}
        for phrase, codes in (doc.get("words") or {}).items():
            key = tuple(grammar.words(str(phrase)))
            for rank, code in enumerate(str(c) for c in codes or ()):
                add(key, code, WORD_FIRST if rank == 0 else WORD_OTHER)
            if len(key) == 1:
                loose.append(key[0])
        groups = [Group(str(g["title"]), tuple(str(c) for c in g["centres"] if str(c) in centres))
                  for g in doc.get("groups") or ()]
        negations = [w for item in doc.get("negations") or () for w in grammar.words(str(item))]
        return cls(grammar, centres, groups, lexicon, negations, [w for w in loose if len(w) >= LOOSE_MIN_LETTERS],
                   real_words)

    def centres_in(self, text: str, values: Sequence[str] = ()) -> list[str]:
        """The centres `text` speaks of, best first; `values`: the NLU's `interest` entities (or a
        button's centre code)."""
        scores: dict[str, float] = {}
        order: dict[str, int] = {}
        for position, weights in self._hits(self.grammar.words(text)):
            for code, weight in weights.items():
                scores[code] = scores.get(code, 0.0) + weight
                order.setdefault(code, position)
        for value in values:
            if str(value) in self.centres:  # a button's payload
                scores[str(value)] = scores.get(str(value), 0.0) + 10 * MIN_SCORE
                order.setdefault(str(value), -1)
                continue
            best = self._best(self._hits(self.grammar.words(str(value))))
            if best:
                scores[best] = scores.get(best, 0.0) + MIN_SCORE
                order.setdefault(best, len(order))
        if not scores or max(scores.values()) < MIN_SCORE:
            return []
        top = max(scores.values())
        kept = [c for c in scores if scores[c] >= max(MIN_SCORE, KEEP_SHARE * top)]
        return sorted(kept, key=lambda c: (-scores[c], order[c]))

    def _best(self, hits: list[tuple[int, Mapping[str, float]]]) -> Optional[str]:
        scores: dict[str, float] = {}
        for _, weights in hits:
            for code, weight in weights.items():
                scores[code] = scores.get(code, 0.0) + weight
        return max(scores, key=scores.get) if scores else None

    def _hits(self, words: Sequence[str]) -> list[tuple[int, Mapping[str, float]]]:
        """(position, {centre: weight}) of every interest said, longest phrases first, negated ones left out."""
        hits = []
        i = 0
        negated_until = -1  # « je déteste les chiffres et l'informatique »: the negation runs on through « et »
        while i < len(words):
            for n in range(min(self._longest, len(words) - i), 0, -1):
                key = tuple(words[i:i + n])
                weights = self.lexicon.get(key)
                if weights is None and n == 1:
                    weights = self._loosely(key[0])
                if weights is not None:
                    if self._negated(words, i) or self._negation_goes_on(words, negated_until, i):
                        negated_until = i + n
                    elif weights:
                        hits.append((i, weights))
                    i += n
                    break
            else:
                i += 1
        return hits

    def _negation_goes_on(self, words: Sequence[str], negated_until: int, start: int) -> bool:
        between = words[negated_until:start] if negated_until >= 0 else None
        return between is not None and all(w in self.grammar.linking or w in self.negations for w in between)

    def _negated(self, words: Sequence[str], start: int) -> bool:
        return any(w in self.negations for w in words[max(0, start - NEGATION_WINDOW):start])

    def _loosely(self, word: str) -> Optional[Mapping[str, float]]:
        """A longer form of a known word (« dessiner » for « dessin »), else a typo of one."""
        if len(word) < LOOSE_MIN_LETTERS or word in self.grammar.linking:
            return None
        for known in self._loose:  # longest first
            if len(known) < len(word) and word.startswith(known):
                return self.lexicon[(known,)]
        if word in self.real_words:
            return None
        limit = 1 if len(word) < TWO_TYPOS_MIN_LETTERS else 2
        candidates = [known for known in self._loose if known[0] == word[0]]
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
        return self.lexicon[(found[0],)] if found else None
