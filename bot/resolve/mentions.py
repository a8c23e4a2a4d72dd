"""Which métiers a message names: the names written whole (typos forgiven), the name the NLU
tagged that nothing resolves, and the word several métiers share (« infirmière »).

Every lookup goes through the one normalisation of bot/resolve/names.py. A typo
is a word of the message that is no word of any name nor of the fiches' prose (a
real French word) but is one edit (two for long words; two letters swapped count as
one) from exactly one word of a name, with the same first letter: the word is read as that one, and the name must
then be found whole.
"""

from __future__ import annotations

import os

import re
from dataclasses import dataclass, replace
from typing import Optional, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.resolve.names import NameIndex

# Words shorter than this are never corrected: too many French words are one edit apart.
_MIN_TYPO_LENGTH = 5
# From this length a word may carry two typos.
_TWO_TYPOS_LENGTH = 8
# « l'air », « d'intérieur »: elision comes before these (folded, so no accents).
_VOWELS = frozenset("aeiouyh")
# A stem this long, a French word, with an agent ending is a coined métier (« nuageur »), not a typo.
_MIN_COINED_STEM = 4
# A lone word that several names start with is taken as a mention only if it is this long
# (« agent », « chef » are everyday words, « infirmier » is not).
_MIN_HEAD_LENGTH = 6
# « Which one? » offers at most this many métiers.
MAX_CHOICES = 5
# An unknown name is offered the known métiers whose names are at least this similar (rapidfuzz ratio).
_MIN_NEAREST_SCORE = 75
# A written unit of a message: a word with its apostrophes and hyphens (« d'animaux », « bio-info »).
_UNIT = re.compile(r"[\w’'-]+")
NEAREST_COUNT = 3


@dataclass(frozen=True)
class Mention:
    """A métier named in a message: `metiers` best first; none when nothing resolves the name."""

    written: str
    metiers: tuple[str, ...] = ()
    ambiguous: bool = False
    own: bool = False  # the person's own job (« je suis comptable »), not the one asked about

    @property
    def resolved(self) -> bool:
        return bool(self.metiers) and not self.ambiguous


class MentionFinder:
    def __init__(self, index: NameIndex):
        self.index = index
        self._heads = {key.split()[0] for key in index.by_key}
        # The first words of longer names (« maitre nageur » of « maitre nageur sauveteur »).
        self._starts = {" ".join(key.split()[:i]) for key in index.by_key for i in range(2, len(key.split()))}

    def correct(self, words: Sequence[str]) -> list[str]:
        """Each word, or the word of a name it is a typo of. A word people ask with (« combien »,
        « gagne », « machin ») is read as a typo only where it completes a name with a neighbour
        (« ingénieur machin learning »)."""
        fixed = []
        for position, word in enumerate(words):
            unelided = self._apostrophe_dropped(word)
            if unelided:
                fixed += unelided
                continue
            meant = self._typo_of(word)
            if meant and word in self.index.question_words and not self._completes_name(words, position, meant):
                meant = None
            fixed.append(meant or word)
        return fixed

    def _apostrophe_dropped(self, word: str) -> Optional[list[str]]:
        """« lair » of « hôtesse de lair », « dinterieur »: an elided word written without its apostrophe,
        when the rest is a word of names and the whole is no known word."""
        index, elided = self.index, self.index.grammar.elided
        if len(word) < _MIN_TYPO_LENGTH - 2 or word in index.by_word or word in index.prose_words \
                or word in index.question_words or word in index.grammar.linking:
            return None
        for letters in elided:
            rest = word[len(letters):]
            if word.startswith(letters) and rest[:1] in _VOWELS and rest in index.by_word:
                return [letters, rest]
        return None

    def _typo_of(self, word: str) -> Optional[str]:
        """The one word of a name `word` is a typo of, if any."""
        grammar = self.index.grammar
        if len(word) < _MIN_TYPO_LENGTH or word in self.index.by_word or word in grammar.linking \
                or word in self.index.prose_words or not word.isalpha() or word.endswith(grammar.verb_endings) \
                or self._coined_agent(word):
            return None
        cutoff = 2 if len(word) >= _TWO_TYPOS_LENGTH else 1
        found = process.extract(word, self.index.vocabulary, scorer=OSA.distance, score_cutoff=cutoff, limit=3)
        # Same first letter; with two typos, same first two letters (« féeriste » is no « fleuriste »).
        best = [w for w, distance, _ in found if w[:distance] == word[:distance] and distance == min(d for _, d, _ in found)]
        # « sommelieer »: « sommelier » and « sommelière » tie, but are one name in two genders.
        same = len({w.removesuffix("e") for w in best}) == 1 or self._same_metiers(best)
        if len(best) > 1 and not same:
            best = _likeliest(word, best)
        return min(best, key=len) if len(best) == 1 or (best and same) else None

    def _coined_agent(self, word: str) -> bool:
        """A French word with an agent ending (« nuage » + « -eur »): a métier someone made up, no typo."""
        def known(stem: str) -> bool:  # no union of the two vocabularies on every word read
            return stem in self.index.prose_words or stem in self.index.question_words
        for ending in self.index.grammar.agent_endings:
            stem = word.removesuffix(ending)
            doubled = stem.endswith(ending[0])  # « tailleeur »: a letter typed twice, never French
            if stem != word and not doubled and len(stem) >= _MIN_COINED_STEM and (known(stem) or known(stem + "e")):
                return True
        return False

    def _completes_name(self, words: Sequence[str], position: int, meant: str) -> bool:
        """Whether `meant` and the nearest word before or after it (linking words aside) are words of one name."""
        linking = self.index.grammar.linking
        before = [w for w in words[:position] if w not in linking][-1:]
        after = [w for w in words[position + 1:] if w not in linking][:1]
        return any(self.index.names_with_words([neighbour, meant]) for neighbour in before + after)

    def _same_metiers(self, words: Sequence[str]) -> bool:
        """Words that name the same métiers (« sommelier », « sommelière »): no matter which a typo meant."""
        def metiers(word: str) -> frozenset:
            return frozenset(m for key in self.index.by_word.get(word, ()) for m in self.index.metiers(key))
        return len({metiers(w) for w in words}) == 1

    def nearest(self, name: str, limit: int = NEAREST_COUNT) -> list[str]:
        """The known métiers closest to `name` (one nobody knows), best first: the names that share
        its first word (« dresseur de chiens » for « dresseur de licornes »), else the names written
        most alike (rapidfuzz's ratio)."""
        words = [w for w in self.correct(self.index.grammar.words(name)) if w not in self.index.grammar.linking]
        if not words:
            return []
        keys = sorted(self.index.by_word.get(words[0], ()))
        if keys:
            ranked = self.index.best_names(keys)
        else:
            found = process.extract(" ".join(words), list(self.index.by_key), scorer=fuzz.ratio, processor=None,
                                    score_cutoff=_MIN_NEAREST_SCORE, limit=limit * 4)
            ranked = [n for key, _, _ in found for n in self.index.by_key[key]]
        return list(dict.fromkeys(n.metier for n in ranked))[:limit]

    def as_written(self, text: str, name: str) -> str:
        """The piece of `text` that `name` (a normalised mention) was read from, as the person wrote it."""
        wanted = self.correct(self.index.grammar.words(name))
        units = [(m.start(), m.end(), self.correct(self.index.grammar.words(m.group())))
                 for m in _UNIT.finditer(text)]
        for first in range(len(units)):
            words: list[str] = []
            for last in range(first, len(units)):
                words += units[last][2]
                if words == wanted:
                    return text[units[first][0]:units[last][1]]
                if len(words) >= len(wanted) or wanted[:len(words)] != words:
                    break
        return name

    def find(self, text: str, tagged: Sequence[str] = ()) -> list[Mention]:
        """The métiers `text` names, in order; `tagged` are the NLU's job entities, which may name
        a métier no source knows (« dresseur de licornes »): those come back unresolved."""
        words = self.correct(self.index.grammar.words(text))
        spans = self._spans(words)
        covering = list(spans)  # the names written whole, and then the NLU's names already taken
        mentions: list[tuple[int, Mention]] = []
        for value in sorted(tagged, key=lambda v: len(v.split()), reverse=True):  # the longest name first
            value_words = self.correct(self.index.grammar.words(value))
            # The NLU's span may run over a linking word (« pilote de » of « pilote de tapis volant »).
            linking = self.index.grammar.linking
            while value_words and value_words[-1] in linking:
                value_words.pop()
            while value_words and value_words[0] in linking:
                value_words.pop(0)
            if not value_words:
                continue
            start = _position(words, value_words)
            if start is not None and any(s[0] <= start and start + len(value_words) <= s[1] and s[1] - s[0] > len(value_words)
                                         for s in covering):
                continue  # the NLU tagged a piece of a longer name written whole (« architecte » of « architecte big data »)
            if start is not None:
                covering.append((start, start + len(value_words)))
            unknown = (self._unknown_complement(words, start, start + len(value_words))
                       or self._unknown_epithet(words, start, start + len(value_words))) if start is not None else None
            # « éleveur de sirènes » tagged « éleveur »: the name goes on with a word no name holds.
            mention = unknown or self._resolve_tagged(value, value_words)
            # The NLU's name covers what the text scan found: the name decides (« chasseur de fantômes »
            # is no « chasseur »).
            if start is not None:
                spans = [s for s in spans if s[1] <= start or s[0] >= start + len(value_words)]
            mentions.append((start if start is not None else len(words), mention))
        read_until = 0  # the words of a métier nobody knows: « arc » of « électricien d'arc-en-ciel » names nothing
        for start, end in spans:
            if start < read_until:
                continue
            longer = self._longer(words, start, end) or self._unknown_complement(words, start, end) \
                or self._unknown_epithet(words, start, end)
            if longer is not None and longer.ambiguous and not self._follows_name_word(words, start):
                longer = self._kept_as_written(longer, " ".join(words[start:end]))
            if longer is not None:
                mentions.append((start, longer))
                if not longer.metiers:
                    read_until = start + len(longer.written.split())
                continue
            key = " ".join(words[start:end])
            mentions.append((start, Mention(key, tuple(self.index.metiers(key)[:MAX_CHOICES]),
                                            len(self.index.metiers(key)) > 1)))
        own = [start for start, _ in mentions if self.index.grammar.says_own_job(words[:start])]
        if len(own) == len(mentions):  # nothing named, or only the person's own job (« je suis maçon, … »)
            taken = frozenset(i for start, end in spans for i in range(start, end))
            # The first said: « rêveuse professionnelle » is a métier nobody knows, not a professional one.
            heads = [h for h in (self._lone_head(words, taken), self._unknown_agent(words)) if h is not None]
            if heads:
                mentions.append(min(heads, key=lambda head: head[0]))
        said = [replace(m, own=self.index.grammar.says_own_job(words[:start])) for start, m in mentions]
        return _unique([m for _, m in sorted(zip([s for s, _ in mentions], said), key=lambda pair: pair[0])])

    def _spans(self, words: list[str]) -> list[tuple[int, int]]:
        """Leftmost-longest names found whole; none starts or ends with a linking word."""
        spans: list[tuple[int, int]] = []
        start = 0
        linking = self.index.grammar.linking
        while start < len(words):
            for end in range(min(len(words), start + self.index.max_words), start, -1):
                if words[start] in linking or words[end - 1] in linking:
                    continue
                if " ".join(words[start:end]) in self.index.by_key:
                    spans.append((start, end))
                    start = end - 1
                    break
            start += 1
        return spans

    def _longer(self, words: list[str], start: int, end: int) -> Optional[Mention]:
        """The name written on after a linking word, when names hold all its words
        (« infirmière en bloc opératoire » is the « infirmier de bloc opératoire »)."""
        best = None
        grammar = self.index.grammar
        if end + 1 < len(words) and words[end] in grammar.coordination and words[end + 1] in grammar.determiners:
            return None  # « un plombier ou un électricien »: two métiers, not one name
        for stop in range(end + 2, min(len(words), end + 4) + 1):
            if words[end] not in self.index.grammar.linking or words[stop - 1] in self.index.grammar.linking:
                continue
            mention = self._shared(" ".join(words[start:stop]), words[start:stop])
            if mention.metiers:
                best = mention
        return best

    def _follows_name_word(self, words: list[str], start: int) -> bool:
        """The word before is a word of names: what was found may be the end of a longer name ill written
        (« mécanicien régleur de machine automatiqe »)."""
        return start > 0 and words[start - 1] in self.index.by_word and words[start - 1] not in self.index.grammar.linking

    def _kept_as_written(self, longer: Mention, key: str) -> Mention:
        """A name written whole that leads to one métier, read on into one word several names share
        with it (« menuisière en atelier », « soudeuse à l'arc »): the word only qualifies that métier."""
        own = self.index.metiers(key)
        linking = self.index.grammar.linking
        added = [w for w in longer.written.split()[len(key.split()):] if w not in linking]
        if len(own) == 1 and own[0] in longer.metiers and len(added) == 1:
            return Mention(longer.written, (own[0],))
        return longer

    def _unknown_complement(self, words: list[str], start: int, end: int) -> Optional[Mention]:
        """« dresseur de licornes », « dentiste pour vampires »: a name going on with « de » (or « pour ») and a word
        that no name holds with it nor any source's sentence uses is a métier nobody knows, not the
        one its first words name."""
        grammar = self.index.grammar
        if end + 1 >= len(words) or words[end] not in grammar.complement | grammar.beneficiary:
            return None
        following = words[end + 1]
        if following in grammar.linking or following in grammar.determiners or not following.isalpha():
            return None
        if words[end] in grammar.beneficiary and (following in self.index.prose_words
                                                  or following in self.index.question_words):
            return None  # « vétérinaire pour chevaux », « plombier pour gagner sa vie »: real uses, reasons
        if self.index.names_with_words(words[start:end] + [following]):
            # « moniteur de vol » goes on as names do: and then « de dragons »?
            return self._unknown_complement(words, start, end + 2)
        if self._fiches_write(words[start:end], following):
            return None  # « infirmière de nuit » goes on as its fiche writes
        return Mention(" ".join(words[start:end + 2]))

    def _unknown_epithet(self, words: list[str], start: int, end: int) -> Optional[Mention]:
        """« boulanger lunaire », « comptable magique »: a name followed by an adjective (its ending,
        from grammar.yml) that no name holds and the name's fiches never write is a métier nobody knows."""
        if end >= len(words):
            return None
        following = words[end]
        grammar = self.index.grammar
        if len(following) < _MIN_TYPO_LENGTH or not following.isalpha() or not following.endswith(grammar.adjective_endings) \
                or following in self.index.by_word or following in grammar.linking or following in grammar.follow_up \
                or following in grammar.determiners or following in self.index.question_words \
                or self._fiches_write(words[start:end], following):
            return None
        return Mention(" ".join(words[start:end + 1]))

    def _fiches_write(self, words: list[str], word: str) -> bool:
        """Whether a fiche the name (or a piece of names) leads to writes `word`; any prose for a sheet's.
        Looked up fiche by fiche: a shared head (« technicien ») leads to hundreds."""
        key = " ".join(words)
        metiers = self.index.metiers(key) if key in self.index.by_key else \
            [n.metier for k in self.index.names_with_words(words) for n in self.index.by_key[k]]
        prose = self.index.prose_by_metier
        if any(m not in prose for m in metiers):
            return word in self.index.prose_words
        return any(word in prose[m] for m in dict.fromkeys(metiers))

    def _resolve_tagged(self, value: str, words: list[str]) -> Mention:
        key = " ".join(words)
        if key in self.index.by_key:
            metiers = self.index.metiers(key)
            return Mention(value, tuple(metiers[:MAX_CHOICES]), len(metiers) > 1)
        # Words no name holds together (« chasseur de fantômes »): a métier nobody knows.
        return self._shared(value, words)

    def _shared(self, value: str, words: list[str]) -> Mention:
        """A piece of several names (« infirmière », « infirmière bloc »): the métiers to choose from."""
        keys = self.index.names_with_words(words)
        metiers = list(dict.fromkeys(n.metier for n in self.index.best_names(keys)))
        return Mention(value, tuple(metiers[:MAX_CHOICES]), len(metiers) > 1)

    def _lone_head(self, words: list[str], taken: frozenset = frozenset()) -> Optional[tuple[int, Mention]]:
        """With nothing else named: the first words of names (« maîtres-nageurs », « agent de propreté »)
        or a long word that starts several names (« devenir infirmière »), read on as names go
        (« laborantine en analyses médicales »), unless it goes on as no name does (« mécanicien temporel »).
        Words of `taken` (the person's own job) are skipped."""
        for position, word in enumerate(words):
            if position in taken or word not in self._heads:
                continue
            end = self._name_start(words, position)
            if end is None and len(word) < _MIN_HEAD_LENGTH:
                continue
            end = end or position + 1
            unknown = self._unknown_complement(words, position, end) or self._unknown_epithet(words, position, end)
            mention = unknown or self._longer(words, position, end) \
                or self._shared(" ".join(words[position:end]), words[position:end])
            if mention.metiers or unknown:
                return position, mention
        return None

    def _name_start(self, words: list[str], position: int) -> Optional[int]:
        """Where the longest run of words from `position` that begins names ends, when it holds two
        words or more besides linking ones."""
        linking = self.index.grammar.linking
        found = None
        for end in range(position + 2, min(len(words), position + self.index.max_words) + 1):
            if " ".join(words[position:end]) not in self._starts:
                break
            if words[end - 1] not in linking:
                found = end
        return found


    def _unknown_agent(self, words: list[str]) -> Optional[tuple[int, Mention]]:
        """« apprivoiseur d'orages », « collectionneur d'échos »: a word that names one who does
        (its ending, from grammar.yml), that no name holds and no sentence of the sources uses,
        is a métier nobody knows, with its complement."""
        grammar = self.index.grammar
        for position, word in enumerate(words):
            if len(word) < _MIN_HEAD_LENGTH or not word.isalpha() or word in self.index.by_word \
                    or word in self.index.prose_words or not word.endswith(grammar.agent_endings):
                continue
            unknown = self._unknown_complement(words, position, position + 1)
            return position, unknown or Mention(word)
        return None


def _likeliest(word: str, tied: Sequence[str]) -> list[str]:
    """Among words a typo is equally near: the one it is with a final « e » written as a feminine
    (« coiffeure »), else those ending as it does the longest (« developeur » is « développeur »,
    not « developer »)."""
    if word.endswith("e") and word[:-1] in tied:
        return [word[:-1]]
    ends = {candidate: _common_ending(word, candidate) for candidate in tied}
    return [candidate for candidate in tied if ends[candidate] == max(ends.values())]


def _common_ending(a: str, b: str) -> int:
    return len(os.path.commonprefix([a[::-1], b[::-1]]))


def _position(words: list[str], piece: list[str]) -> Optional[int]:
    for start in range(len(words) - len(piece) + 1):
        if words[start:start + len(piece)] == piece:
            return start
    return None


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen, kept = set(), []
    for mention in mentions:
        marker = mention.metiers or (mention.written,)
        if marker not in seen:
            seen.add(marker)
            kept.append(mention)
    return kept
