"""Compose Boussole's French reply to one question from the knowledge.

Pure functions: a `Question` (intent, entities, context) in, a `Reply` out.
The métiers of the turn are resolved once (bot/answers/turn.py); a hand-made
sheet answers first for its métier, its ROME 4.0 fiche for what the sheet
lacks, and a fiche alone for every other métier (bot/answers/fiche.py).
Honesty rules (DESIGN.md): only facts of the source, each part under its own
source line; a facet the source lacks is named with a plain "ma source ne dit
rien"; a métier nothing resolves is named back, never answered with the facts
of the métier in context.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Iterable, Optional, Sequence

from bot.answers import fiche as F
from bot.answers import templates as T
from bot.answers.followup import as_follow_up
from bot.answers.pages import paginate
from bot.answers.question import Question
from bot.answers.search import Match, fact_search
from bot.answers.salary_families import (context_lines, family_refs, family_salary_line, fiche_salary_lines,
                                         salary_caveats, source_lines)
from bot.answers.family_headcounts import headcount_refs, outlook_lines
from bot.answers.family_headcounts import source_lines as headcount_source_lines
from bot.answers.turn import Turn, mentions_of, resolve_turn
from bot.answers.uncovered import uncovered_subject
from bot.knowledge.base import KnowledgeBase
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
# ...unless the text is a métier's name and at most this many words (« slt c koi 1 boulanger »).
SHORT_QUESTION_OTHER_WORDS = 4
# « tu tiens ça d'où ? » quotes at most this many sentences of each source.
QUOTES_PER_SOURCE = 3

_VOWELS = set("aeiouyhéèêëàâîïôöûü")

@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    # The métier the conversation is now about: a sheet id or a ROME code.
    job: Optional[str] = None
    # "id:fact" of every fact quoted ("sheet_id:fact_id", "ROME code:part"), for a later "source ?".
    facts: list[str] = field(default_factory=list)
    # A response of the domain to send instead of `text` (the out-of-scope refusal, say).
    response: Optional[str] = None
    # The templates the reply was framed with and their fields, for the reply check's log.
    templates: list[tuple[str, dict]] = field(default_factory=list)
    # Ids of the sheets and fiches the text draws on, when not only the job's.
    sheets: list[str] = field(default_factory=list)
    # The topic intent answered (or asked about, when the reply asks which métier).
    topic: Optional[str] = None
    # Names the reply may say beyond its sources: the fiches offered as buttons, say.
    said: list[str] = field(default_factory=list)
    # How the person named the job, when its fiche titles it otherwise (kept for the next turns).
    job_name: Optional[str] = None

    @property
    def gaps(self) -> list[str]:
        """What the reply says the source lacks (télétravail, salaire d'un profil senior…)."""
        return T.gaps(self.templates)

    def drawn_ids(self) -> list[str]:
        return list(dict.fromkeys(self.sheets or [self.job] if (self.sheets or self.job) else []))

    def drawn_from(self, kb: KnowledgeBase) -> list[Sheet]:
        """The sheets the reply check reads: those named, else the job's own, if it has one."""
        return [kb.sheets[i] for i in self.drawn_ids() if i in kb.sheets]


def de(word: str) -> str:
    """French "de" with elision: d'ingénieur, de plombier."""
    return f"d'{word}" if word[:1].lower() in _VOWELS else f"de {word}"


def known_jobs_sentence(kb: KnowledgeBase) -> str:
    titles = kb.titles()
    if kb.fiches and titles:
        return T.fill("CATALOGUE_JOBS", count=len(kb.fiches), jobs=", ".join(titles))
    return T.fill("KNOWN_JOBS", len(titles) if len(titles) in T.KNOWN_JOBS else "many", jobs=", ".join(titles))


def metier_title(kb: KnowledgeBase, metier: str) -> str:
    """How a button or a list names a métier: the sheet's title, the fiche's title."""
    return kb.sheets[metier].title if metier in kb.sheets else kb.fiches[metier]["label"]


def compose_answer(kb: KnowledgeBase, question: Question) -> Reply:
    with T.recording() as used:
        reply = _in_pages(_compose(kb, question), question)
    reply.templates = used
    return reply


def _in_pages(reply: Reply, question: Question) -> Reply:
    """A topic's answer says its first points; « Voir plus » asks the same topic for the next ones."""
    if reply.response or not reply.job or reply.topic not in T.SECTION_OF_INTENT:
        return reply
    page = paginate(reply.text, question.page, T.TOPICS.points_per_reply)
    reply.text = page.text
    if page.more:
        entities = {**_facets(question.aspects, question.experience_level, question.region),
                    "job": reply.job, "page": str(question.page + 1)}
        reply.buttons = [{"title": T.fill("MORE_BUTTON"), "payload": _payload(reply.topic, entities)}, *reply.buttons]
    return reply


def _compose(kb: KnowledgeBase, question: Question) -> Reply:
    question = as_follow_up(kb, question)
    if question.intent == "greet":
        question = _greeting_question(kb, question)
        if question.intent == "greet":
            return Reply("", response="utter_greet", job=question.context_job)
    if question.intent == "help":
        return Reply(T.fill("HELP", known=known_jobs_sentence(kb)), job=question.context_job)
    subject = None if question.text.startswith("/") else uncovered_subject(kb, question.text)
    if subject is not None and question.intent not in ("ask_source", "list_jobs"):
        return _uncovered(kb, subject, question)
    return _answer(kb, question)


def _uncovered(kb: KnowledgeBase, subject, question: Question) -> Reply:
    """A subject no source covers (VAE, CPF, Parcoursup, an opinion) is said plainly; a métier named
    with it still gets its answer on the topic asked (what it is, by default), under its source."""
    said = T.fill("UNCOVERED", reply=subject.reply, label=subject.label)
    turn = resolve_turn(kb, question)
    if not turn.metiers:
        return Reply(said, buttons=_suggestions(""), job=turn.target, topic=None)
    intent = question.intent if question.intent in T.SECTION_OF_INTENT else "ask_definition"
    reply = _answer(kb, replace(question, intent=intent))
    reply.text = f"{said}\n{reply.text}" if reply.text else said
    return reply


def _answer(kb: KnowledgeBase, question: Question) -> Reply:
    if question.intent in UNSURE_INTENTS:
        return _unsure(kb, question)
    turn = resolve_turn(kb, question)
    if question.intent == "list_jobs":
        return _list_jobs(kb, turn)
    if question.intent == "ask_source":
        return _source(kb, turn, question)
    section = T.SECTION_OF_INTENT.get(question.intent)
    if section is None:
        raise ValueError(f"intent {question.intent!r} has no answer in the knowledge base")
    if turn.unknown is not None and not turn.metiers:
        return _unknown(kb, turn)
    if turn.choices:
        return _which_of(kb, turn)
    target = turn.target or _only_sheet(kb)
    if target is None:
        return _which_job(kb, question, turn)
    if section == "comparisons":
        return _comparison_reply(kb, target, turn, question)
    if section == "salary" and len(turn.metiers) > 1:
        return _salaries_reply(kb, turn.metiers, question)
    if target not in kb.sheets:
        return _fiche_reply(kb, kb.fiches[target], question, turn)
    sheet = kb.sheets[target]
    if section == "definition" and not turn.metiers:
        # « C'est quoi la vision par ordinateur ? » asks about a term of the sheet, not the job.
        mentions = fact_search(kb, sheet).mentions(question.text)
        if mentions:
            return _mentions_reply(sheet, mentions)
    if section == "salary":
        lines, facts = _salary(kb, sheet, question)
        # The sheet's own figure first; its ROME fiche's family medians follow, labelled as context.
        extra = [] if "stage" in question.aspects else context_lines(kb, sheet.rome_fiche, question)  # interns: no median
    else:
        lines, facts = _section(kb, sheet, section, question.aspects)
        extra = _from_sheet_fiche(kb, sheet, question, bool(facts))
        if extra and not facts:  # the fiche's intro says the sheet has nothing on the topic
            lines = []
    fiche_code = [sheet.rome_fiche] if extra else []
    dares_refs = family_refs(kb, sheet.rome_fiche) if section == "salary" and extra else []
    return Reply(
        "\n".join(lines + (_credit(sheet) if lines else []) + extra),
        buttons=_suggestions(question.intent),
        job=sheet.id,
        facts=[f"{sheet.id}:{fact.id}" for fact in facts] + [f"{c}:{question.intent}" for c in fiche_code] + dares_refs,
        topic=question.intent,
        sheets=[sheet.id, *fiche_code] if fiche_code else [],
    )


def _greeting_question(kb: KnowledgeBase, question: Question) -> Question:
    """« Bonjour, ma fille veut devenir infirmière… »: a greeting that names a métier asks about it, when
    the classifier also saw a topic (its likeliest) or the question names a subject of uncovered.yml."""
    turn = resolve_turn(kb, question)
    if not turn.named:
        return question
    topic = next((i for i, c in question.ranking if i in T.SECTION_OF_INTENT and c >= CLARIFY_MIN_CONFIDENCE), None)
    if topic is None and uncovered_subject(kb, question.text) is None:
        return question  # « bonjour madame ou monsieur le robot »: a title in a greeting is no question
    return replace(question, intent=topic or "ask_definition")


def _only_sheet(kb: KnowledgeBase) -> Optional[str]:
    """A knowledge of one sheet and no catalogue answers about it without asking."""
    only = kb.only_sheet() if not kb.fiches else None
    return only.id if only else None


def _fiche_reply(kb: KnowledgeBase, fiche: F.Fiche, question: Question, turn: Turn) -> Reply:
    """A topic of a métier known by its ROME 4.0 fiche only; a name the fiche does not title
    (« avocat » in the fiche « Juriste ») is said to be answered from that fiche."""
    lines = F.part_lines(kb, fiche, question.intent, question.aspects)
    salary_refs: list[str] = []
    if lines is None and question.intent == "ask_salary":
        lines, salary_refs = fiche_salary_lines(kb, fiche["code"], question), family_refs(kb, fiche["code"])
    if lines is not None and question.intent == "ask_outlook":
        # ROME makes no forecast: its families' headcounts over the years published say the past, as such.
        lines, salary_refs = lines + outlook_lines(kb, fiche["code"]), headcount_refs(kb, fiche["code"])
    if lines is None:
        frame = "ROME_NO_SALARY" if question.intent == "ask_salary" else "ROME_NOTHING"
        label = T.SECTION_LABEL[T.SECTION_OF_INTENT[question.intent]] if frame == "ROME_NOTHING" else fiche["label"]
        lines = [T.fill(frame, code=fiche["code"], label=label)]
    if turn.metiers and turn.metiers[0] == fiche["code"]:
        written = turn.written[0]
    else:  # a follow-up: the name given earlier, while the conversation stays on its fiche
        written = question.context_job_name if not turn.metiers and turn.context == fiche["code"] else None
    name = written if written and F.other_title(kb, fiche, written) else None
    if name:
        lines.insert(0, T.fill("FICHE_OF_NAME", name=name, code=fiche["code"], label=fiche["label"]))
    return Reply("\n".join(lines + F.credit(kb, fiche)), buttons=_suggestions(question.intent), job=fiche["code"],
                 facts=[f"{fiche['code']}:{question.intent}", *salary_refs], topic=question.intent, job_name=name,
                 said=[name] if name else [])


def _from_sheet_fiche(kb: KnowledgeBase, sheet: Sheet, question: Question, answered: bool) -> list[str]:
    """What the sheet's ROME fiche adds, under its own source: the whole topic when the sheet has
    nothing on it, else the fiche's items that name an asked aspect the sheet lacks (télétravail)."""
    fiche = kb.fiches.get(sheet.rome_fiche or "")
    topic = T.TOPICS.topic(question.intent)
    if fiche is None or topic is None or topic.rome == "none":
        return []
    section = T.SECTION_OF_INTENT[question.intent]
    items = F.PARTS[topic.rome](fiche, question.aspects, kb)
    if answered and topic.rome_too:
        return [T.fill("ROME_INTRO", question.intent, label=fiche["label"]), *items, *F.credit(kb, fiche)]
    if answered:
        missing = _missing_aspects(kb, section, sheet.topic_facts(section), question.aspects)
        terms = [fold(t) for a in missing for t in kb.aspects[a].terms]
        items = [i for i in items if any(f" {t} " in f" {fold(i)} " for t in terms)]
    if not items:
        return []
    intro = T.fill("SHEET_GAP_FROM_FICHE", label=T.SECTION_LABEL[section] if not answered else
                   ", ".join(kb.aspects[a].label for a in _missing_aspects(kb, section, sheet.topic_facts(section),
                                                                           question.aspects)),
                   de_title=de(sheet.title), code=fiche["code"])
    return [intro, *items, *F.credit(kb, fiche)]


def _unknown(kb: KnowledgeBase, turn: Turn) -> Reply:
    """A métier named that nothing resolves: named back, with the nearest titles known as buttons."""
    nearest = kb.finder.nearest(turn.unknown)
    lines = [T.fill("UNKNOWN_METIER", name=turn.unknown),
             T.fill("UNKNOWN_NEAREST") if nearest else T.fill("UNKNOWN_NO_NEAREST")]
    return Reply(" ".join(lines), buttons=_metier_buttons(kb, turn.topic, nearest, turn), job=None, topic=turn.topic,
                 said=[metier_title(kb, m) for m in nearest])


def _which_of(kb: KnowledgeBase, turn: Turn) -> Reply:
    """A name several fiches share and none titles: ask which, a button each."""
    return Reply(T.fill("WHICH_OF", name=turn.choice_name), buttons=_metier_buttons(kb, turn.topic, turn.choices, turn),
                 job=turn.context, topic=turn.topic, said=[metier_title(kb, m) for m in turn.choices])


def _metier_buttons(kb: KnowledgeBase, intent: str, metiers: Sequence[str], turn: Optional[Turn] = None) -> list[dict]:
    """A button per métier that asks `intent` about it, with the question's other entities."""
    entities = _facets(turn.aspects, turn.level, turn.region) if turn is not None else {}
    intent = intent if intent in T.SECTION_OF_INTENT else "ask_definition"
    return [{"title": _capitalised(metier_title(kb, m)), "payload": _payload(intent, {**entities, "job": m})}
            for m in metiers]


def _facets(aspects: Sequence[str], level: Optional[str], region: Optional[str]) -> dict:
    """The question's entities a button repeats, so its press asks the same thing."""
    entities = {"aspect": list(aspects)} if aspects else {}
    return {**entities, **{name: value for name, value in (("experience_level", level), ("region", region)) if value}}


def _payload(intent: str, entities: dict) -> str:
    """A button's payload: the intent and its entities as Rasa reads them (`/intent{…}`)."""
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False, separators=(",", ":")) if entities else "")


def _credit(sheet: Sheet) -> list[str]:
    """The source line every answer from a sheet ends with (« Source : Onisep » and the fiche's link)."""
    doc = sheet.source
    if doc.url:
        return [T.fill("CREDIT_LINK", publisher=doc.credited, doc=doc.title, url=doc.url)]
    return [T.fill("CREDIT", publisher=doc.credited, doc=doc.title)]


def _which_job(kb: KnowledgeBase, question: Question, turn: Turn) -> Reply:
    """No métier named and none in context: ask which one, with the detailed sheets as buttons.
    A person's own job is said back: it is not the one asked about."""
    if turn.own:
        text = T.fill("OWN_JOB", label=metier_title(kb, turn.own[0]), ask=T.fill("ASK_NAME"))
    elif kb.fiches:
        text = T.fill("WHICH_METIER", ask=T.fill("ASK_NAME"))
    else:
        text = T.fill("WHICH_JOB", known=known_jobs_sentence(kb))
    return Reply(text, buttons=_metier_buttons(kb, question.intent, list(kb.sheets), turn),
                 job=None, topic=question.intent, said=[metier_title(kb, m) for m in turn.own])


def _unsure(kb: KnowledgeBase, question: Question) -> Reply:
    """A question the classifier could not place, or placed out of scope without being sure.

    In order: the facts that name a term of the question; for an unsure
    classifier, a question back with buttons for the likeliest topics; the
    closest fact if it matches strongly; else the domain's refusal.
    """
    in_doubt = question.intent == "nlu_fallback"
    refusal = Reply("", response="utter_default" if in_doubt else "utter_out_of_scope", job=question.context_job)
    turn = resolve_turn(kb, question)
    if not in_doubt and turn.metiers and _names_a_metier_plainly(kb, question, turn) \
            and _few_words_besides(kb, question):
        # « slt c koi 1 boulanger » : a métier and a few words around it asks what it is.
        return _answer(kb, replace(question, intent="ask_definition"))
    if not in_doubt and _confidence(question, "out_of_scope") >= OUT_OF_SCOPE_SURE:
        return refusal  # « le boulanger du coin est fermé le lundi ? » names a métier, asks nothing of it
    choices = _likely_topics(question.ranking) if in_doubt else []
    if in_doubt and turn.metiers and _names_a_metier_plainly(kb, question, turn):
        # « un boulanger ça bosse la nuit ? » hesitates between topics of the métier: asked back;
        # « que fait un ébéniste ? » has one likely topic: answered.
        about = [c for c in choices if c in T.SECTION_OF_INTENT]
        asked = _topic_of_aspects(kb, question.aspects)
        if asked is not None:
            # « combien de postes d'ici 2030 ? »: the person's own words name the topic the classifier missed.
            return _answer(kb, replace(question, intent=asked))
        if len(about) > 1 and about[0] == choices[0]:
            return _clarify(turn.target, question, about)
        # « je voudrais des infos sur le métier de carreleur »: no topic to place, a métier named;
        # what it is answers first, and the reply's buttons offer the other topics.
        return _answer(kb, replace(question, intent=about[0] if about and about[0] == choices[0] else "ask_definition"))
    if turn.unknown is not None and not turn.metiers and in_doubt:
        return _unknown(kb, turn)
    sheet = kb.get(turn.target or _only_sheet(kb))
    search = fact_search(kb, sheet) if sheet else None
    mentions = search.mentions(question.text) if search else None
    if mentions:
        return _mentions_reply(sheet, mentions)
    if choices:
        return _clarify(turn.target, question, choices)
    closest = search.closest(question.text) if search else None
    min_words = CLOSEST_MIN_WORDS if in_doubt else CLOSEST_MIN_WORDS_OUT_OF_SCOPE
    if closest and closest.score >= CLOSEST_MIN_SCORE and len(closest.words) >= min_words:
        return _quoted_facts(sheet, T.fill("CLOSEST_INTRO", de_title=de(sheet.title)), closest.facts)
    return refusal


def _few_words_besides(kb: KnowledgeBase, question: Question) -> bool:
    """The text says at most SHORT_QUESTION_OTHER_WORDS words besides the métier's name."""
    _, mentions = mentions_of(kb, question)
    named = sum(len(m.written.split()) for m in mentions if m.resolved and not m.own)
    return len(question.text.split()) - named <= SHORT_QUESTION_OTHER_WORDS


def _topic_of_aspects(kb: KnowledgeBase, aspects: Sequence[str]) -> Optional[str]:
    """The one topic every asked aspect belongs to (data/knowledge/aspects.yml), else None."""
    sections = {section for name in aspects if name in kb.aspects for section in kb.aspects[name].topics}
    if len(sections) != 1:
        return None
    section = sections.pop()
    return next((intent for intent, s in T.SECTION_OF_INTENT.items() if s == section), None)


def _names_a_metier_plainly(kb: KnowledgeBase, question: Question, turn: Turn) -> bool:
    """The turn's métier is a name the resolver found whole (or a button's id), not a piece of a
    sheet's names: « le machine learning » is a term of the sheet, searched as such."""
    ids, mentions = mentions_of(kb, question)
    return bool(ids) or any(m.resolved and not m.own and m.metiers[0] == turn.metiers[0] for m in mentions)


def _mentions_reply(sheet: Sheet, mentions: Match) -> Reply:
    intro = T.fill("MENTIONS_INTRO", terms=" », « ".join(mentions.terms), de_title=de(sheet.title))
    return _quoted_facts(sheet, intro, mentions.facts)


def _confidence(question: Question, intent: str) -> float:
    return next((c for i, c in question.ranking if i == intent), 0.0)


def _quoted_facts(sheet: Sheet, intro: str, facts: Sequence[Fact]) -> Reply:
    lines = [intro] + [T.fill("FACT_WITH_QUOTE", text=f.text, quote=f.source) for f in facts] + _credit(sheet)
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


def _clarify(metier: Optional[str], question: Question, choices: Sequence[str]) -> Reply:
    """Rasa's two-stage fallback, in one turn: "Vous voulez parler de X ou de Y ?" with a button each."""
    phrases = [T.TOPIC_CHOICE[c][0] for c in choices]
    if len(phrases) == 1:
        text = T.fill("CLARIFY_ONE", choice=phrases[0])
    else:
        text = T.fill("CLARIFY", choices=", ".join(phrases[:-1]) + " ou " + phrases[-1])
    # The press repeats the question's facets, so "en alternance ?" keeps its aspect once placed.
    entities = {"aspect": list(dict.fromkeys(question.aspects))} if question.aspects else {}
    buttons = [{"title": T.TOPIC_CHOICE[c][1], "payload": _payload(c, entities)} for c in choices]
    return Reply(text, buttons=buttons, job=metier)


def _list_jobs(kb: KnowledgeBase, turn: Turn) -> Reply:
    """The known métiers, the sheets a button each; a métier named in the question is confirmed or named back."""
    if turn.metiers:
        metier = turn.metiers[0]
        if metier in kb.sheets:
            text = T.fill("HAS_SHEET", de_title=de(kb.sheets[metier].title))
        else:
            text = "\n".join([T.fill("HAS_FICHE", label=kb.fiches[metier]["label"]), *F.credit(kb, kb.fiches[metier])])
        return Reply(text, buttons=_suggestions("list_jobs"), job=metier)
    if turn.unknown is not None:
        return _unknown(kb, turn)
    if turn.choices:
        return _which_of(kb, turn)
    # Listing starts over: the next question is about whichever métier the person picks.
    buttons = _metier_buttons(kb, "ask_definition", list(kb.sheets)) if len(kb.sheets) > 1 else []
    ask = T.fill("ASK_NAME") if kb.fiches else T.fill("LIST_JOBS_ASK")
    return Reply(f"{known_jobs_sentence(kb)} {ask}", buttons=buttons, job=None)


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
        lines.append(T.fill("SALARY_NO_REGION", asked=region, known=known) if known else
                     T.fill("SALARY_NO_REGIONS", asked=region))
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


def _comparison_reply(kb: KnowledgeBase, target: str, turn: Turn, question: Question) -> Reply:
    """Two métiers side by side, each under its own source; one métier alone: its sheet's own comparisons."""
    others = [m for m in turn.metiers if m != target]
    if not others:
        if target not in kb.sheets:
            fiche = kb.fiches[target]
            lines = [T.fill("ROME_NOTHING", code=fiche["code"], label=T.SECTION_LABEL["comparisons"])]
            return Reply("\n".join(lines + F.credit(kb, fiche)), buttons=_suggestions(question.intent), job=target,
                         topic=question.intent)
        sheet = kb.sheets[target]
        lines, facts = _comparison(sheet, [turn.unknown] if turn.unknown else [])
        return Reply("\n".join(lines + _credit(sheet)), buttons=_suggestions(question.intent),
                     job=sheet.id, facts=[f"{sheet.id}:{f.id}" for f in facts], topic=question.intent)
    other = others[0]
    compared = any(this in kb.sheets and that in kb.sheets and _compared_with(kb.sheets[this], kb.sheets[that])
                   for this, that in ((target, other), (other, target)))
    # Side by side, two definitions are no comparison: said so when no source compares the two.
    lines = [T.fill("COMPARISON_PAIR" if compared else "COMPARISON_PAIR_UNCOMPARED",
                    title=_capitalised(metier_title(kb, target)), other=metier_title(kb, other))]
    refs: list[str] = []
    for this, that in ((target, other), (other, target)):
        text, facts = _side(kb, this, that)
        if text:
            lines.append(T.fill("COMPARISON_SIDE", title=_capitalised(metier_title(kb, this)), text=text,
                                credit=_credit_name(kb, this)))
            refs += facts
        else:
            lines.append(T.fill("NOTHING_ON_SECTION", label=T.SECTION_LABEL["definition"],
                                de_title=de(metier_title(kb, this))))
    return Reply("\n".join(lines), buttons=_suggestions(question.intent), job=target, facts=refs,
                 sheets=[target, other], topic=question.intent)


def _side(kb: KnowledgeBase, this: str, that: str) -> tuple[str, list[str]]:
    """One side of a comparison: what a sheet says of the other métier, else its definition."""
    if this not in kb.sheets:
        return kb.fiches[this].get("definition") or "", [f"{this}:ask_definition"]
    sheet = kb.sheets[this]
    facts = (_compared_with(sheet, kb.sheets[that]) if that in kb.sheets else []) or sheet.definition[:2]
    return " ".join(f.text for f in facts), [f"{sheet.id}:{f.id}" for f in facts]


def _compared_with(sheet: Sheet, other: Sheet) -> list[Fact]:
    """What `sheet` itself says when it compares its métier with `other`'s."""
    names = {fold(n) for n in (other.title, *other.all_names())}
    return [f for c in sheet.comparisons if names & {fold(n) for n in (c.job, *c.names)} for f in c.facts]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _credit_name(kb: KnowledgeBase, metier: str) -> str:
    if metier not in kb.sheets:
        return T.fill("ROME_CREDIT_SHORT", code=metier)
    doc = kb.sheets[metier].source
    return T.fill("CREDIT_SHORT", publisher=doc.credited, doc=doc.title)


def _salaries_reply(kb: KnowledgeBase, metiers: Sequence[str], question: Question) -> Reply:
    """Several métiers' salaries, never mixed: each paragraph names its métier and its source."""
    lines: list[str] = []
    refs: list[str] = []
    for metier in metiers:
        if metier in kb.sheets:
            said, facts = _salary(kb, kb.sheets[metier], question)
            refs += [f"{metier}:{f.id}" for f in facts]
        else:
            family_line = family_salary_line(kb, metier)
            if family_line is not None:
                lines.append(family_line)
                continue
            said = [T.fill("ROME_NO_SALARY", code=metier, label=kb.fiches[metier]["label"])]
        lines.append(T.fill("SALARY_OF", title=_capitalised(metier_title(kb, metier)), text=" ".join(said),
                            credit=_credit_name(kb, metier)))
    lines += salary_caveats(kb, metiers)
    return Reply("\n".join(lines), buttons=_suggestions(question.intent), job=metiers[0], facts=refs,
                 sheets=list(metiers), topic=question.intent)


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


def _source(kb: KnowledgeBase, turn: Turn, question: Question) -> Reply:
    """The sources of the facts the last answer gave (else of the métier asked about, else of all sheets),
    with the source's own words for a sheet's facts."""
    quoted = [ref.partition(":")[0] for ref in question.last_facts]
    ids = [i for i in dict.fromkeys([*turn.metiers, *quoted]) if i in kb.sheets or i in kb.fiches]
    if not ids:
        ids = [turn.target] if turn.target else list(kb.sheets)
    lines: list[str] = []
    for i in ids:
        # Each source is followed by its own words for the facts quoted from it, so none is credited with another's.
        lines.append(_source_sentence(kb.sheets[i]) if i in kb.sheets else
                     T.fill("ROME_SOURCE", label=kb.fiches[i]["label"], code=i, url=kb.fiches[i]["url"]))
        quotes = list(dict.fromkeys(T.fill("SOURCE_QUOTE", quote=fact.source) for fact in _quoted_from(kb, i, question)))
        if quotes:
            lines += [T.fill("SOURCE_QUOTE_INTRO")] + quotes[:QUOTES_PER_SOURCE]
    lines += source_lines(kb, question.last_facts) + headcount_source_lines(kb, question.last_facts)
    return Reply("\n".join(lines), job=turn.target or (ids[0] if len(ids) == 1 else question.context_job),
                 facts=list(question.last_facts), sheets=ids)


def _quoted_from(kb: KnowledgeBase, sheet_id: str, question: Question) -> list[Fact]:
    """The facts of one sheet the last answer gave."""
    sheet = kb.sheets.get(sheet_id)
    if sheet is None:
        return []
    facts = (sheet.fact(ref.partition(":")[2]) for ref in question.last_facts if ref.partition(":")[0] == sheet_id)
    return [fact for fact in facts if fact is not None]


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
