"""Compose Boussole's French reply to one question from the knowledge sheets.

Pure functions: a `Question` (intent, entities, context) in, a `Reply` out.
Honesty rules (DESIGN.md): only facts of the sheet; a facet the sheet lacks
is named with a plain "ma source ne dit rien"; a job without a sheet is named
back with the list of known jobs and no figure of another job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence, Union

from bot.answers import templates as T
from bot.answers.jobs import Unknown, as_follow_up, named_jobs, resolve_jobs
from bot.answers.question import Question
from bot.answers.search import Match, fact_search
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.catalogue import PUBLISHER
from bot.knowledge.schema import LEVELS, Fact, SalaryFigure, Sheet
from bot.text import fold

# Intents that mean "not a question I can place": the action looks at the sheet before refusing.
UNSURE_INTENTS = ("nlu_fallback", "out_of_scope")
# Clarifying question: at most this many topics, each at least this likely
# (« ça se passe comment ? » hesitates between three at 0.21, 0.14 and 0.11).
CLARIFY_MAX_CHOICES = 3
CLARIFY_MIN_CONFIDENCE = 0.1
# The closest fact answers only with this BM25 score and this many of the question's
# words: one common word ("bon", "monde") scores up to 4 (tests/answers/test_unsure.py).
CLOSEST_MIN_SCORE = 5.0
CLOSEST_MIN_WORDS = 2
# Overruling "out of scope" takes one more word: « aujourd'hui dans le monde » shares two.
CLOSEST_MIN_WORDS_OUT_OF_SCOPE = 3
# Above this confidence in out_of_scope, the classifier is trusted and the sheet not searched:
# a code request naming Python or TensorFlow is still out of scope.
OUT_OF_SCOPE_SURE = 0.9

_VOWELS = set("aeiouyhéèêëàâîïôöûü")

@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    # The job the conversation is now about (a sheet id or a name without a sheet).
    job: Optional[str] = None
    # "sheet_id:fact_id" of every fact quoted, for a later "source ?".
    facts: list[str] = field(default_factory=list)
    # A response of the domain to send instead of `text` (the out-of-scope refusal, say).
    response: Optional[str] = None
    # The templates the reply was framed with and their fields, for the reply check's log.
    templates: list[tuple[str, dict]] = field(default_factory=list)
    # Ids of the sheets the text draws on, when not only the job's (a "source ?" on every sheet).
    sheets: list[str] = field(default_factory=list)
    # The topic intent answered (or asked about, when the reply asks which métier).
    topic: Optional[str] = None
    # MET ids of the ONISEP index entries the reply names (a métier without a sheet).
    indexed: list[str] = field(default_factory=list)

    @property
    def gaps(self) -> list[str]:
        """What the reply says the sheet lacks (télétravail, salaire d'un profil senior…)."""
        return T.gaps(self.templates)

    def drawn_from(self, kb: KnowledgeBase) -> list[Sheet]:
        """The sheets the reply check reads: those named, else the job's own, if it has one."""
        ids = self.sheets or [self.job]
        return [kb.sheets[i] for i in dict.fromkeys(ids) if i in kb.sheets]

    def indexed_text(self, kb: KnowledgeBase) -> list[str]:
        """What the reply may say of the index entries it names: their label, link and ROME jobs."""
        entries = [kb.catalogue.by_id[i] for i in self.indexed]
        return [PUBLISHER, "ROME", *(part for e in entries for part in
                                     (e.label, *e.names, e.url, *(f"{r.code} {r.label}" for r in e.rome)))]


def de(word: str) -> str:
    """French "de" with elision: d'ingénieur, de plombier."""
    return f"d'{word}" if word[:1].lower() in _VOWELS else f"de {word}"


def known_jobs_sentence(kb: KnowledgeBase) -> str:
    titles = kb.titles()
    return T.fill("KNOWN_JOBS", len(titles) if len(titles) in T.KNOWN_JOBS else "many", jobs=", ".join(titles))


def compose_answer(kb: KnowledgeBase, question: Question) -> Reply:
    with T.recording() as used:
        reply = _compose(kb, question)
    reply.templates = used
    return reply


def _compose(kb: KnowledgeBase, question: Question) -> Reply:
    question = as_follow_up(kb, question)
    if question.intent in UNSURE_INTENTS:
        return _unsure(kb, question)
    if question.intent == "help":
        return Reply(T.fill("HELP", known=known_jobs_sentence(kb)), job=question.context_job)
    if question.intent == "list_jobs":
        return _list_jobs(kb, question)

    jobs = resolve_jobs(kb, question)
    sheet = jobs.sheet
    if question.intent == "ask_source":
        return _source(kb, sheet, question)
    section = T.SECTION_OF_INTENT.get(question.intent)
    if section is None:
        raise ValueError(f"intent {question.intent!r} has no answer in the knowledge base")
    if jobs.unknown is not None:
        return _no_sheet(kb, jobs.unknown)
    if sheet is None:
        return _which_job(kb, question)

    if section == "definition" and not question.jobs and not jobs.named:
        # « C'est quoi la vision par ordinateur ? » asks about a term of the sheet, not the job.
        mentions = fact_search(kb, sheet).mentions(question.text)
        if mentions:
            return _mentions_reply(sheet, mentions)
    if section == "comparisons":
        return _comparison_reply(sheet, jobs.others, question)
    if section == "salary" and len(jobs.named) > 1:
        return _salaries_reply(kb, jobs.named, question)
    if section == "salary":
        lines, facts = _salary(kb, sheet, question)
    else:
        lines, facts = _section(kb, sheet, section, question.aspects)
    return Reply(
        "\n".join(lines + _credit(sheet, section)),
        buttons=_suggestions(question.intent),
        job=sheet.id,
        facts=[f"{sheet.id}:{fact.id}" for fact in facts],
        topic=question.intent,
    )


def _credit(sheet: Sheet, section: str) -> list[str]:
    """The attribution a published source asks for (« Source : Onisep » and the fiche's link)."""
    doc = sheet.source
    if doc.url:
        return [T.fill("CREDIT_LINK", publisher=doc.credited, doc=doc.title, url=doc.url)]
    if section == "salary":  # a figure always says where it comes from
        return [T.fill("CREDIT", publisher=doc.credited, doc=doc.title)]
    return []


def _no_sheet(kb: KnowledgeBase, unknown: Unknown) -> Reply:
    known = known_jobs_sentence(kb)
    entry = unknown.entry
    if entry is None:
        return Reply(T.fill("NO_SHEET", name=unknown.name, known=known), job=unknown.name)
    rome = [T.fill("ROME_JOB", code=r.code, label=r.label) for r in entry.rome]
    lines = [T.fill("NO_SHEET_INDEXED", name=unknown.name, url=entry.url)]
    if rome:
        lines.append(T.fill("ROME_JOBS", jobs=", ".join(rome)))
    lines.append(known)
    return Reply("\n".join(lines), job=unknown.name, indexed=[entry.id])


def _which_job(kb: KnowledgeBase, question: Question) -> Reply:
    """Several sheets and no métier named: ask which one, with a button each."""
    entities: dict = {}
    if question.aspects:
        entities["aspect"] = list(dict.fromkeys(question.aspects))
    for name in ("experience_level", "region"):
        if getattr(question, name):
            entities[name] = getattr(question, name)
    return Reply(T.fill("WHICH_JOB", known=known_jobs_sentence(kb)), buttons=_sheet_buttons(kb, question.intent, entities),
                 job=None, topic=question.intent)


def _sheet_buttons(kb: KnowledgeBase, intent: str, entities: dict) -> list[dict]:
    """A button per sheet that asks `intent` about it, with the question's `entities`."""
    def payload(sheet: Sheet) -> str:
        return f"/{intent}" + json.dumps({**entities, "job": sheet.title}, ensure_ascii=False, separators=(",", ":"))
    return [{"title": _capitalised(s.title), "payload": payload(s)} for s in kb.sheets.values()]


def _unsure(kb: KnowledgeBase, question: Question) -> Reply:
    """A question the classifier could not place, or placed out of scope without being sure.

    In order: the facts that name a term of the question; for an unsure
    classifier, a question back with buttons for the likeliest topics; the
    closest fact if it matches strongly; else the domain's refusal.
    """
    in_doubt = question.intent == "nlu_fallback"
    refusal = Reply("", response="utter_default" if in_doubt else "utter_out_of_scope", job=question.context_job)
    if not in_doubt and _confidence(question, "out_of_scope") >= OUT_OF_SCOPE_SURE:
        return refusal
    jobs = resolve_jobs(kb, question)
    sheet = jobs.sheet
    if jobs.unknown is not None and in_doubt:
        return _no_sheet(kb, jobs.unknown)
    search = fact_search(kb, sheet) if sheet else None
    mentions = search.mentions(question.text) if search else None
    if mentions:
        return _mentions_reply(sheet, mentions)
    choices = _likely_topics(question.ranking) if in_doubt else []
    if choices:
        return _clarify(sheet, question, choices)
    closest = search.closest(question.text) if search else None
    min_words = CLOSEST_MIN_WORDS if in_doubt else CLOSEST_MIN_WORDS_OUT_OF_SCOPE
    if closest and closest.score >= CLOSEST_MIN_SCORE and len(closest.words) >= min_words:
        return _quoted_facts(sheet, T.fill("CLOSEST_INTRO", de_title=de(sheet.title)), closest.facts)
    return refusal


def _mentions_reply(sheet: Sheet, mentions: Match) -> Reply:
    intro = T.fill("MENTIONS_INTRO", terms=" », « ".join(mentions.terms), de_title=de(sheet.title))
    return _quoted_facts(sheet, intro, mentions.facts)


def _confidence(question: Question, intent: str) -> float:
    return next((c for i, c in question.ranking if i == intent), 0.0)


def _quoted_facts(sheet: Sheet, intro: str, facts: Sequence[Fact]) -> Reply:
    lines = [intro] + [T.fill("FACT_WITH_QUOTE", text=f.text, quote=f.source) for f in facts] + _credit(sheet, "")
    return Reply("\n".join(lines), buttons=_suggestions(""), job=sheet.id,
                 facts=[f"{sheet.id}:{f.id}" for f in facts])


def _likely_topics(ranking: Sequence[tuple[str, float]]) -> list[str]:
    """The two or three topics the classifier hesitated between, likeliest first.

    None when its best guess is not a topic: gibberish leans to out_of_scope,
    "hmm" to help, and a question back about salaries would make no sense.
    """
    top = [(intent, confidence) for intent, confidence in ranking if intent != "nlu_fallback"][:CLARIFY_MAX_CHOICES]
    if not top or top[0][0] not in T.TOPIC_CHOICE:
        return []
    return [intent for intent, confidence in top if intent in T.TOPIC_CHOICE and confidence >= CLARIFY_MIN_CONFIDENCE]


def _clarify(sheet: Optional[Sheet], question: Question, choices: Sequence[str]) -> Reply:
    """Rasa's two-stage fallback, in one turn: "Vous voulez parler de X ou de Y ?" with a button each."""
    phrases = [T.TOPIC_CHOICE[c][0] for c in choices]
    if len(phrases) == 1:
        text = T.fill("CLARIFY_ONE", choice=phrases[0])
    else:
        text = T.fill("CLARIFY", choices=", ".join(phrases[:-1]) + " ou " + phrases[-1])
    # The press repeats the question's facets, so "en alternance ?" keeps its aspect once placed.
    entities = {"aspect": list(dict.fromkeys(question.aspects))} if question.aspects else {}
    suffix = json.dumps(entities, ensure_ascii=False, separators=(",", ":")) if entities else ""
    buttons = [{"title": T.TOPIC_CHOICE[c][1], "payload": f"/{c}{suffix}"} for c in choices]
    return Reply(text, buttons=buttons, job=sheet.id if sheet else question.context_job)


def _list_jobs(kb: KnowledgeBase, question: Question) -> Reply:
    """The known métiers, a button each; a job named in the question is confirmed or named back."""
    known, unnamed = named_jobs(kb, question) if question.jobs else ([], [])
    if known:
        sheet = known[0]
        return Reply(T.fill("HAS_SHEET", de_title=de(sheet.title)), buttons=_suggestions("list_jobs"), job=sheet.id)
    if unnamed:
        reply = _no_sheet(kb, unnamed[0])
        reply.job = None
        return reply
    # Listing starts over: the next question is about whichever métier the person picks.
    buttons = _sheet_buttons(kb, "ask_definition", {}) if len(kb.sheets) > 1 else []
    return Reply(f"{known_jobs_sentence(kb)} {T.fill('LIST_JOBS_ASK')}", buttons=buttons, job=None)


def _facts_for_aspects(facts: Iterable[Fact], aspects: Sequence[str]) -> list[Fact]:
    """Facts tagged with an asked aspect, most matching aspects first."""
    scored = [(len(set(f.aspects) & set(aspects)), i, f) for i, f in enumerate(facts)]
    return [f for score, _, f in sorted(scored, key=lambda t: (-t[0], t[1])) if score]


def _missing_aspects(kb: KnowledgeBase, section: str, facts: Sequence[Fact], aspects: Sequence[str]) -> list[str]:
    """Asked aspects that belong to this section but that no fact covers."""
    covered = {a for f in facts for a in f.aspects}
    return [
        a for a in dict.fromkeys(aspects)
        if a in kb.aspects and section in kb.aspects[a].topics and a not in covered
    ]


def _as_block(section: str, facts: Sequence[Fact]) -> list[str]:
    if section in T.PARAGRAPH_SECTIONS or len(facts) == 1:
        return [" ".join(f.text for f in facts)]
    return [f"- {f.text}" for f in facts]


def _limits(facts: Iterable[Fact]) -> list[str]:
    return list(dict.fromkeys(f.limits for f in facts if f.limits))


def _section(kb: KnowledgeBase, sheet: Sheet, section: str, aspects: Sequence[str]):
    facts = sheet.topic_facts(section)
    names = {"title": sheet.title, "de_title": de(sheet.title)}
    missing = _missing_aspects(kb, section, facts, aspects)
    matched = _facts_for_aspects(facts, aspects)
    lines: list[str] = []
    if matched:
        lines += _as_block(section, matched) + _limits(matched)
    lines += [T.fill("NOTHING_ON_ASPECT", label=kb.aspects[a].label) for a in missing]
    if not facts:
        if not missing:
            lines.append(T.fill("NOTHING_ON_SECTION", label=T.SECTION_LABEL[section], **names))
        return lines, []
    if matched:
        return lines, matched
    # Nothing precise to say: the whole section, after any gap named above.
    lines += [T.fill("SECTION_INTRO", section, **names)] + _as_block(section, facts)
    if missing:
        lines.append(T.fill("NOTHING_MORE"))
    return lines, facts


def _with_article(region: str) -> str:
    """l'Île-de-France; other region names are used as written."""
    return f"l'{region}" if region[:1].lower() in _VOWELS else region


def _level_phrase(levels: Iterable[str]) -> str:
    levels = list(dict.fromkeys(levels))
    return " ou ".join(levels)


def _salary(kb: KnowledgeBase, sheet: Sheet, question: Question):
    salary = sheet.salary
    caveats = salary.caveats
    aspects = set(question.aspects)
    if not salary.figures:
        lines = [T.fill("NOTHING_ON_SECTION", label=T.SECTION_LABEL["salary"], title=sheet.title, de_title=de(sheet.title))]
        return lines + [c.text for c in caveats], list(caveats)

    if "stage" in aspects:
        about = _facts_for_aspects(caveats, ["stage"])
        if about:
            return [" ".join(f.text for f in about)] + _limits(about), about

    figures: list[SalaryFigure] = list(salary.figures)
    lines: list[str] = []
    level = question.experience_level if question.experience_level in LEVELS else None
    if level and not any(f.level == level for f in figures):
        lines.append(T.fill("SALARY_NO_LEVEL", asked=level, known=_level_phrase(f.level for f in figures)))
    elif level:
        figures = [f for f in figures if f.level == level]
    region = question.region
    regional = [f for f in figures if f.region and fold(f.region) == fold(region or "")]
    if region and not regional:
        known = " et ".join(dict.fromkeys(_with_article(f.region) for f in figures if f.region))
        lines.append(T.fill("SALARY_NO_REGION", asked=region, known=known or "aucune région"))
    elif regional:
        figures = regional
    lines += [f.text for f in figures]
    lines += _basis_and_period(figures, aspects)
    missing_levels = [lv for lv in LEVELS if not any(f.level == lv for f in salary.figures)]
    if missing_levels and not (level and level in missing_levels):
        lines.append(T.fill("SALARY_ONLY_LEVELS", missing=_level_phrase(missing_levels)))
    lines += [c.text for c in caveats]
    return [" ".join(lines)], [*figures, *caveats]


def _basis_and_period(figures: Sequence[SalaryFigure], aspects: set[str]) -> list[str]:
    out: list[str] = []
    bases = {f.basis for f in figures}
    periods = {f.period for f in figures}
    for asked in ("brut", "net"):
        if asked in aspects:
            out.append(T.fill("SALARY_BASIS", asked) if asked in bases else T.fill("SALARY_NO_BASIS", known="/".join(sorted(bases)), asked=asked))
    for asked in ("annuel", "mensuel"):
        if asked in aspects:
            out.append(T.fill("SALARY_PERIOD", asked) if asked in periods else T.fill("SALARY_NO_PERIOD", known="/".join(sorted(periods)), asked=asked))
    return list(dict.fromkeys(out))


def _comparison_reply(sheet: Sheet, others: Sequence[Union[Sheet, Unknown]], question: Question) -> Reply:
    """The sheet's own comparisons; with another sheet named, both sheets side by side."""
    pairs = [o for o in others if isinstance(o, Sheet)]
    if not pairs:
        lines, facts = _comparison(sheet, [o.name for o in others])
        return Reply("\n".join(lines + _credit(sheet, "comparisons")), buttons=_suggestions(question.intent),
                     job=sheet.id, facts=[f"{sheet.id}:{f.id}" for f in facts], topic=question.intent)
    other = pairs[0]
    lines = [T.fill("COMPARISON_PAIR", title=_capitalised(sheet.title), other=other.title)]
    refs: list[str] = []
    for this, that in ((sheet, other), (other, sheet)):
        facts = _compared_with(this, that) or this.definition[:2]
        if facts:
            lines.append(T.fill("COMPARISON_SIDE", title=_capitalised(this.title), text=" ".join(f.text for f in facts),
                                credit=_credit_name(this)))
            refs += [f"{this.id}:{f.id}" for f in facts]
        else:
            lines.append(T.fill("NOTHING_ON_SECTION", label=T.SECTION_LABEL["definition"], de_title=de(this.title)))
    return Reply("\n".join(lines), buttons=_suggestions(question.intent), job=sheet.id, facts=refs,
                 sheets=[sheet.id, other.id], topic=question.intent)


def _compared_with(sheet: Sheet, other: Sheet) -> list[Fact]:
    """What `sheet` itself says when it compares its métier with `other`'s."""
    names = {fold(n) for n in (other.title, *other.all_names())}
    return [f for c in sheet.comparisons if names & {fold(n) for n in (c.job, *c.names)} for f in c.facts]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _credit_name(sheet: Sheet) -> str:
    doc = sheet.source
    return T.fill("CREDIT_SHORT", publisher=doc.credited, doc=doc.title)


def _salaries_reply(kb: KnowledgeBase, sheets: Sequence[Sheet], question: Question) -> Reply:
    """Two métiers' salaries, never mixed: each paragraph names its métier and its source."""
    lines: list[str] = []
    refs: list[str] = []
    for sheet in sheets:
        said, facts = _salary(kb, sheet, question)
        lines.append(T.fill("SALARY_OF", title=_capitalised(sheet.title), text=" ".join(said), credit=_credit_name(sheet)))
        refs += [f"{sheet.id}:{f.id}" for f in facts]
    return Reply("\n".join(lines), buttons=_suggestions(question.intent), job=sheets[0].id, facts=refs,
                 sheets=[s.id for s in sheets], topic=question.intent)


def _comparison(sheet: Sheet, others: Sequence[str]):
    names = {"title": sheet.title, "de_title": de(sheet.title)}
    if not sheet.comparisons:
        return [T.fill("COMPARISON_NONE", **names)], []
    lines: list[str] = []
    used: list[Fact] = []
    for other in others:
        match = next((c for c in sheet.comparisons if fold(other) in {fold(n) for n in (c.job, *c.names)}), None)
        if match is None:
            lines.append(T.fill("COMPARISON_MISSING", other=other, de_other=de(other), **names))
        elif match.facts[0] not in used:
            lines.append(" ".join(f.text for f in match.facts))
            used += match.facts
    if used:
        return lines, used
    if lines:  # only jobs the sheet does not compare with
        lines.append(T.fill("COMPARISON_AVAILABLE", de_others=" ou ".join(de(c.job) for c in sheet.comparisons)))
    for comparison in sheet.comparisons:
        lines.append(" ".join(f.text for f in comparison.facts))
        used += comparison.facts
    return lines, used


def _source(kb: KnowledgeBase, sheet: Optional[Sheet], question: Question) -> Reply:
    sheets = [sheet] if sheet else list(kb.sheets.values())
    lines = [_source_sentence(s) for s in sheets]
    quotes = []
    for ref in question.last_facts[:3]:
        sheet_id, _, fact_id = ref.partition(":")
        quoted = kb.get(sheet_id)
        fact = quoted.fact(fact_id) if quoted else None
        if fact is not None:
            quotes.append(T.fill("SOURCE_QUOTE", quote=fact.source))
    if quotes:
        lines += [T.fill("SOURCE_QUOTE_INTRO")] + list(dict.fromkeys(quotes))
    quoted = [ref.partition(":")[0] for ref in question.last_facts[:3]]
    return Reply("\n".join(lines), job=sheet.id if sheet else question.context_job, facts=list(question.last_facts),
                 sheets=[s.id for s in sheets] + quoted)


def _source_sentence(sheet: Sheet) -> str:
    doc = sheet.source
    collection = T.fill("SOURCE_COLLECTION", collection=doc.collection) if doc.collection else ""
    if doc.url:
        details = ", ".join(filter(None, [doc.collection, doc.reference]))
        return T.fill("SOURCE_PUBLISHED", de_title=de(sheet.title), doc=doc.title,
                      details=T.fill("SOURCE_DETAILS", details=details) if details else "",
                      publisher=doc.credited, url=doc.url)
    return T.fill("SOURCE", de_title=de(sheet.title), doc=doc.title, author=doc.credited,
                  collection=collection)


def _suggestions(intent: str) -> list[dict]:
    return [{"title": title, "payload": f"/{name}"} for title, name in T.SUGGESTIONS if name != intent]
