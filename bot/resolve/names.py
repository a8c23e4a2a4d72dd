"""Every name a métier goes by, under one normalisation: the index the resolver looks names up in.

Names come from the hand-made sheets (their names and appellations), ROME 4.0
(each fiche's title and job titles, long and short, both genders, and the
acronyms they carry in parentheses), ONISEP's index (through the ROME codes
of its entries) and the everyday forms of data/knowledge/names/everyday.yml.
A name leads to métier ids: a sheet id or a ROME code. A sheet comes first
for its names: a name of a sheet never leads elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

import yaml

from bot.errors import Errors
from bot.knowledge.catalogue import gender_forms, singular
from bot.text import fold

NAMES_DIR = Path("names")
GRAMMAR_FILE = NAMES_DIR / "grammar.yml"
EVERYDAY_FILE = NAMES_DIR / "everyday.yml"
# "(IDE)", "(ATSEM)", "-PNC-": the acronym a title carries is a name of its fiche. Three letters at
# least: two-letter ones (« IA », « RH ») are everyday words of questions about many métiers.
_ACRONYM = re.compile(r"[(-]\s*([A-Z][A-Z0-9&]{2,7})\s*[)-]")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)|\s+-[A-Z0-9&]{2,8}-")


@dataclass(frozen=True)
class Grammar:
    """The French words matching needs (data/knowledge/names/grammar.yml)."""

    sms: Mapping[str, str] = field(default_factory=dict)
    linking: frozenset = frozenset()
    own_job: tuple = ()  # word sequences, normalised
    complement: frozenset = frozenset()
    determiners: frozenset = frozenset()
    follow_up: frozenset = frozenset()  # words around a name that only ask the last question again
    agent_endings: tuple = ()  # how French names one who does (« -eur »): an unknown word so ending names a métier
    coordination: frozenset = frozenset()  # « ou », « et »: before a determiner, a second name begins
    senior_family_words: tuple = ()  # words of the Dares' family labels of cadres and engineers
    adjective_endings: tuple = ()  # how French adjectives end (« lunaire », « quantique »)
    verb_endings: tuple = ()  # endings only verbs have (« conseillez »): never a typo of a name
    feminine_endings: tuple = ()  # (masculine, feminines) endings of a name's first word, longest first
    elided: tuple = ()  # « l », « d »: written before a vowel with an apostrophe people drop (« lair »)
    beneficiary: frozenset = frozenset()  # « pour »: a name goes on with whom it serves (« dentiste pour vampires »)

    @classmethod
    def load(cls, knowledge_dir: Union[str, Path]) -> "Grammar":
        doc = yaml.safe_load((Path(knowledge_dir) / GRAMMAR_FILE).read_text(encoding="utf-8")) or {}
        replaced = {**(doc.get("sms") or {}), **(doc.get("clipped") or {})}
        grammar = cls({fold(str(k)): str(v) for k, v in replaced.items()},
                      frozenset(fold(w) for w in doc.get("linking") or ()))
        words = lambda key: frozenset(w for item in doc.get(key) or () for w in grammar.words(str(item)))  # noqa: E731
        return cls(grammar.sms, grammar.linking, tuple(tuple(grammar.words(p)) for p in doc.get("own_job") or ()),
                   words("complement"), words("determiners"), words("follow_up"),
                   tuple(fold(e) for e in doc.get("agent_endings") or ()), words("coordination"),
                   tuple(w for item in doc.get("senior_family_words") or () for w in grammar.words(str(item))),
                   tuple(fold(e) for e in doc.get("adjective_endings") or ()),
                   tuple(fold(e) for e in doc.get("verb_endings") or ()),
                   beneficiary=words("beneficiary"),
                   elided=tuple(fold(str(e)) for e in doc.get("elided") or ()),
                   feminine_endings=tuple(sorted(((str(m), tuple(map(str, f if isinstance(f, list) else [f])))
                                                  for m, f in (doc.get("feminine_endings") or {}).items()),
                                                 key=lambda pair: -len(pair[0]))))

    def feminine(self, name: str) -> list[str]:
        """The name with its first word in the feminine (« électricien » → « électricienne »; « professeur »
        → « professeure », « professeuse »: a form nobody writes harms nothing)."""
        first, _, rest = name.partition(" ")
        for masculine, feminines in self.feminine_endings:
            if first.endswith(masculine):
                return [" ".join(filter(None, (first.removesuffix(masculine) + f, rest))) for f in feminines]
        return []

    def says_own_job(self, before: Sequence[str]) -> bool:
        """The words before a métier make it the person's own job (an article between them aside)."""
        trimmed = list(before[:-1]) if before and before[-1] in ("un", "une") else list(before)
        return any(phrase and trimmed[-len(phrase):] == list(phrase) for phrase in self.own_job)

    def words(self, text: str) -> list[str]:
        """The one normalisation: folded (case, accents), apostrophes and hyphens as spaces,
        SMS forms replaced, each word in the singular."""
        words: list[str] = []
        for word in fold(text).replace("'", " ").replace("-", " ").split():
            if word in self.sms:
                words += [singular(part) for part in fold(self.sms[word]).replace("'", " ").split()]
            else:
                words.append(singular(word))
        return words

    def key(self, text: str) -> str:
        return " ".join(self.words(text))


@dataclass(frozen=True)
class Name:
    """One name of one métier, as written in its source."""

    text: str
    metier: str
    title: bool = False  # the métier's own title (wins when several métiers share the name)
    rare: bool = False  # ROME's « peu usité »
    rome: bool = False  # one of ROME 4.0's own job titles: outranks another source's same name


class NameIndex:
    """Names by normalised key; the vocabulary of their words for typo tolerance."""

    def __init__(self, grammar: Grammar, names: Iterable[Name], sheet_ids: Iterable[str] = (),
                 prose_by_metier: Optional[Mapping[str, frozenset]] = None, question_words: Iterable[str] = ()):
        self.grammar = grammar
        # Words people ask with (the NLU's training examples): « mensuel », « nécessaire » qualify no métier.
        self.question_words = frozenset(question_words)
        self.sheet_ids = frozenset(sheet_ids)
        # Each fiche's words (its sentences'): « infirmière de nuit » goes on as its fiche writes.
        self.prose_by_metier = dict(prose_by_metier or {})
        # Words of the sources' French prose: real words, never read as a typo of a name's word
        # (« acheter » is no « acheteur », « préféré » no « préfète »).
        self.prose_words = frozenset().union(*self.prose_by_metier.values())
        self.by_key: dict[str, list[Name]] = defaultdict(list)
        keys: dict[str, str] = {}  # many names are written alike: normalise each text once
        for name in names:
            key = keys.get(name.text)
            if key is None:
                key = keys[name.text] = grammar.key(name.text)
            if key and name not in self.by_key[key]:
                self.by_key[key].append(name)
        # A sheet's name leads to the sheet only.
        for key, listed in self.by_key.items():
            sheets = [n for n in listed if n.metier in self.sheet_ids]
            if sheets:
                self.by_key[key] = sheets
        self.by_key = dict(self.by_key)
        self.max_words = max((len(k.split()) for k in self.by_key), default=0)
        # Names by each of their words: the names a single word may stand for (« infirmière »).
        self.by_word: dict[str, set[str]] = defaultdict(set)
        for key in self.by_key:
            for word in set(key.split()) - grammar.linking:
                self.by_word[word].add(key)
        self.vocabulary = sorted(self.by_word)

    def __len__(self) -> int:
        return len(self.by_key)

    def metiers(self, key: str) -> list[str]:
        """The métiers a normalised name leads to: its titles' métiers when it is a title, else those
        ROME 4.0 gives it (ONISEP's older index may file « chauffeur de taxi » elsewhere), else all, in order."""
        names = self.by_key.get(key, [])
        titled = [n.metier for n in names if n.title]
        rome = [n.metier for n in names if n.rome]
        return list(dict.fromkeys(titled or rome or [n.metier for n in names]))

    def names_with_words(self, words: Sequence[str]) -> list[str]:
        """The keys of the names that hold every one of `words` (linking words aside)."""
        content = [w for w in words if w not in self.grammar.linking]
        if not content:
            return []
        keys = set(self.by_word.get(content[0], ()))
        for word in content[1:]:
            keys &= self.by_word.get(word, set())
        return sorted(keys)

    def best_names(self, keys: Iterable[str]) -> list[Name]:
        """Names ranked for a button list: fewest words first, titles, common before rare."""
        ranked = sorted(((len(k.split()), not n.title, n.rare, k, n) for k in keys for n in self.by_key[k]),
                        key=lambda r: r[:4])
        return [r[4] for r in ranked]


def rome_names(fiches: Iterable[Mapping]) -> Iterable[Name]:
    """Each fiche's title and job titles in both genders, with and without their parenthesis, and acronyms."""
    for fiche in fiches:
        code = fiche["code"]
        titles = [(fiche["label"], True, False)]
        titles += [(t[part], False, t["rare"]) for t in fiche["titles"] for part in ("label", "short")]
        for label, is_title, rare in titles:
            for form in gender_forms(label) + gender_forms(_PARENTHESIS.sub("", label)):
                yield Name(form, code, is_title, rare, rome=True)
            for acronym in _ACRONYM.findall(label):
                yield Name(acronym, code, False, rare, rome=True)


def sheet_names(sheets: Iterable) -> Iterable[Name]:
    for sheet in sheets:
        for text in (sheet.title, *sheet.all_names()):
            yield Name(text, sheet.id, True)


def onisep_names(catalogue, rome_codes: Iterable[str], children: Mapping[str, Sequence[str]]) -> Iterable[Name]:
    """ONISEP's names lead to the ROME 4.0 fiche of their code, or to the fiches split from it."""
    known = set(rome_codes)
    for entry in catalogue.entries:
        for job in entry.rome:
            targets = [job.code] if job.code in known else list(children.get(job.code, ()))
            if len(targets) == 1:  # a name split over several fiches says none of them
                for text in entry.names:
                    yield Name(text, targets[0])


def everyday_names(knowledge_dir: Union[str, Path], grammar: Optional[Grammar] = None) -> list[Name]:
    """The forms of everyday.yml; with a grammar, each in the feminine too (« électricienne »)."""
    path = Path(knowledge_dir) / EVERYDAY_FILE
    if not path.is_file():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    names = [Name(str(text), str(metier)) for text, metier in (doc.get("forms") or {}).items()]
    feminine = [Name(form, n.metier) for n in names for form in (grammar.feminine(n.text) if grammar else ())]
    return names + feminine


def everyday_problems(knowledge_dir: Union[str, Path], sheets: Sequence = (), fiches: Sequence[Mapping] = (),
                      catalogue=None) -> list[str]:
    """What `boussole check` refuses in everyday.yml: a form leading nowhere, or one the sources already give."""
    knowledge_dir = Path(knowledge_dir)
    path = knowledge_dir / EVERYDAY_FILE
    known = {f["code"] for f in fiches} | {s.id for s in sheets}
    sources = build_index(knowledge_dir, sheets, fiches, catalogue, everyday=False)
    problems = []
    for name in everyday_names(knowledge_dir):
        if name.metier not in known:
            problems.append(Errors.E032.format(file=path, form=name.text, metier=name.metier))
        elif sources.grammar.key(name.text) in sources.by_key:
            problems.append(Errors.E033.format(file=path, form=name.text,
                                               metier=", ".join(sources.metiers(sources.grammar.key(name.text)))))
    return problems


def build_index(knowledge_dir: Union[str, Path], sheets: Sequence = (), fiches: Sequence[Mapping] = (),
                catalogue=None, grammar: Optional[Grammar] = None, everyday: bool = True) -> NameIndex:
    """The index of every name, from the loaded knowledge."""
    grammar = grammar or Grammar.load(knowledge_dir)
    children: dict[str, list[str]] = defaultdict(list)
    for fiche in fiches:
        if fiche.get("parent") and fiche["parent"] != fiche["code"]:
            children[fiche["parent"]].append(fiche["code"])
    names: list[Name] = [*sheet_names(sheets), *rome_names(fiches), *(everyday_names(knowledge_dir, grammar) if everyday else ())]
    if catalogue is not None:
        names += onisep_names(catalogue, [f["code"] for f in fiches], children)
    return NameIndex(grammar, names, sheet_ids=[s.id for s in sheets], prose_by_metier=prose_words(grammar, fiches),
                     question_words=question_words(grammar, Path(knowledge_dir).parent / NLU_DIR))


# The NLU's training examples beside the knowledge (data/nlu/ next to data/knowledge/).
NLU_DIR = "nlu"
# « [kiné](job) », « [bac](study_level) »: an annotated span and its entity.
_ANNOTATION = re.compile(r"\[([^\]]*)\]\(([^)]*)\)|\[([^\]]*)\]\{([^}]*)\}")
# The entity of métier names: its spans are names (typos included: « ML enginer »), not question words.
_JOB_ENTITY = "job"


def _asked(match: re.Match) -> str:
    """An annotated span's text, or nothing for a métier's name."""
    text, entity = (match.group(1), match.group(2)) if match.group(1) is not None else (match.group(3), match.group(4))
    return "" if re.search(rf'(^|"){_JOB_ENTITY}("|$)', entity.strip()) else text


def question_words(grammar: Grammar, nlu_dir: Path) -> set[str]:
    """The normalised words people ask with: the NLU's training examples without the métier names
    they annotate (none when there are no such files)."""
    written: set[str] = set()
    for path in sorted(nlu_dir.rglob("*.yml")) if nlu_dir.is_dir() else ():
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in doc.get("nlu") or ():
            for line in str(item.get("examples") or "").splitlines():
                text = _ANNOTATION.sub(_asked, line.strip().removeprefix("- "))
                written.update(text.split())
    return set(grammar.words(" ".join(written)))


def prose_words(grammar: Grammar, fiches: Iterable[Mapping]) -> dict[str, frozenset]:
    """Each fiche's normalised words of its sentences (definition, activities, access, skills,
    working conditions, sectors)."""
    normalised: dict[str, tuple[str, ...]] = {}  # each written form normalised once
    by_fiche: dict[str, frozenset] = {}
    for fiche in fiches:
        texts = [fiche.get("definition") or "", *fiche.get("missions", ()), *fiche.get("access", ()),
                 *(skill["label"] for skill in fiche.get("skills", ())),
                 *(item for items in (fiche.get("conditions") or {}).values() for item in items),
                 *(sector["sub"] or sector["label"] for sector in fiche.get("sectors", ()))]
        words: set[str] = set()
        for form in set(" ".join(texts).split()):
            if form not in normalised:
                normalised[form] = tuple(grammar.words(form))
            words.update(normalised[form])
        by_fiche[fiche["code"]] = frozenset(words)
    return by_fiche
