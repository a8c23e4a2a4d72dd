"""Every French sentence of Boussole's own (not facts): reply frames and buttons.

Facts come from the knowledge sheets only; these templates only frame them.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator, Optional, Union

# Topic intents and the sheet section each one reads.
SECTION_OF_INTENT = {
    "ask_definition": "definition",
    "ask_missions": "missions",
    "ask_employers": "employers",
    "ask_skills": "skills",
    "ask_training": "training",
    "ask_salary": "salary",
    "ask_comparison": "comparisons",
    "ask_outlook": "outlook",
    "ask_conditions": "conditions",
    "ask_career": "career",
}

# How a full section is introduced; facts follow as a list or a paragraph.
SECTION_INTRO = {
    "definition": "Voici ce qu'est un {title}, d'après ma source :",
    "missions": "Les missions d'un {title}, d'après ma source :",
    "employers": "D'après ma source, un {title} peut travailler pour :",
    "skills": "Pour devenir {title}, ma source demande en règle générale :",
    "training": "Les principales formations citées par ma source pour devenir {title} :",
    "salary": "Le salaire d'un {title}, d'après ma source :",
    "comparisons": "{title} et métiers voisins, d'après ma source :",
    "outlook": "Les perspectives du métier {de_title}, d'après ma source :",
    "conditions": "Les conditions de travail d'un {title}, d'après ma source :",
    "career": "Le parcours et l'évolution d'un {title}, d'après ma source :",
}

# What a section is called in a "nothing on this" sentence.
SECTION_LABEL = {
    "definition": "la définition du métier",
    "missions": "les missions",
    "employers": "les employeurs",
    "skills": "les compétences",
    "training": "les formations",
    "salary": "le salaire",
    "comparisons": "la comparaison avec d'autres métiers",
    "outlook": "les perspectives du métier",
    "conditions": "les conditions de travail (horaires, télétravail, déplacements, statut)",
    "career": "l'évolution de carrière",
}

# Sections whose facts read as one paragraph rather than a list.
PARAGRAPH_SECTIONS = {"definition", "comparisons", "outlook", "career", "salary"}

NOTHING_ON_SECTION = "Ma source ne dit rien sur {label} pour le métier {de_title}."
NOTHING_ON_ASPECT = "Ma source ne dit rien sur {label} pour ce métier."
NOTHING_MORE = "Ma source n'en dit pas plus."

NO_SHEET = (
    "Je n'ai pas de fiche sur le métier « {name} » : je ne peux donc rien vous en dire "
    "sans inventer. {known}"
)
KNOWN_JOBS = {
    0: "Je n'ai encore aucune fiche métier.",
    1: "Pour l'instant, je connais un seul métier : {jobs}.",
    "many": "Pour l'instant, je connais ces métiers : {jobs}.",
}
WHICH_JOB = "De quel métier parlez-vous ? {known} Choisissez-en un :"
NO_SHEET_INDEXED = (
    "Je n'ai pas encore de fiche sur le métier « {name} » : je ne peux donc rien vous en dire "
    "sans inventer, ni chiffre ni conseil. L'Onisep le décrit dans sa fiche métier : {url}"
)
ROME_JOBS = "Dans le répertoire des métiers ROME : {jobs}."
ROME_JOB = "« {label} »"

LIST_JOBS_ASK = "Posez-moi votre question : missions, compétences, formation, salaire…"
HAS_SHEET = "Oui, j'ai une fiche sur le métier {de_title}. Que voulez-vous savoir : ce qu'il est, ses missions, les compétences, les formations, le salaire ?"

HELP = (
    "Je suis Boussole, un assistant d'orientation. Je réponds à vos questions sur un métier : "
    "ce qu'il est, ses missions, les employeurs, les compétences, les formations, le salaire, "
    "la différence avec un métier voisin et ses perspectives. Mes réponses viennent d'une "
    "fiche métier validée, et je vous dis quand elle ne couvre pas votre question. {known}"
)

SOURCE = "Mes informations sur le métier {de_title} viennent de « {doc} », de {author}{collection}."
SOURCE_COLLECTION = " ({collection})"
SOURCE_PUBLISHED = (
    "Mes informations sur le métier {de_title} viennent de « {doc} »{details}. "
    "Source : {publisher}, {url}"
)
SOURCE_DETAILS = " ({details})"
# After an answer from a published source; a salary names its source even when not published.
CREDIT_LINK = "Source : {publisher}, « {doc} », {url}"
CREDIT = "Source : {publisher}, « {doc} »."
CREDIT_SHORT = "{publisher}, « {doc} »"
SOURCE_QUOTE_INTRO = "Sur le point précédent, le texte dit :"
SOURCE_QUOTE = "« {quote} »"

# Salary gaps: what the sheet lacks for the level, region, basis or period asked.
SALARY_NO_LEVEL = "Ma source ne donne pas de salaire pour un profil {asked} : elle ne cite que le salaire d'un profil {known}."
SALARY_NO_REGION = "Ma source ne donne pas de chiffre pour {asked} : son seul chiffre concerne {known}."
SALARY_ONLY_LEVELS = "Ma source ne dit rien du salaire d'un profil {missing}."
SALARY_BASIS = {
    "brut": "Il s'agit d'un montant brut.",
    "net": "Il s'agit d'un montant net.",
}
SALARY_NO_BASIS = "Le montant donné est {known} : ma source ne donne pas de montant {asked}."
SALARY_PERIOD = {
    "annuel": "Il s'agit d'un salaire annuel (par an).",
    "mensuel": "Il s'agit d'un salaire mensuel (par mois).",
}
SALARY_NO_PERIOD = "Le montant donné est {known} : ma source ne donne pas de montant {asked}."

COMPARISON_NONE = "Ma source ne compare le métier {de_title} à aucun autre métier."
COMPARISON_MISSING = "Ma source ne compare pas le métier {de_title} à celui {de_other}."
COMPARISON_PAIR = "{title} ou {other} ? Voici ce que dit la fiche de chacun :"
COMPARISON_SIDE = "- {title} : {text} (Source : {credit})"
SALARY_OF = "- {title} : {text} (Source : {credit})"
COMPARISON_AVAILABLE = "Elle le compare seulement au métier {de_others} :"

# Quick replies offered after an answer (title, intent).
SUGGESTIONS = [
    ("Missions", "ask_missions"),
    ("Compétences", "ask_skills"),
    ("Formation", "ask_training"),
    ("Salaire", "ask_salary"),
    ("Source", "ask_source"),
]

# --- When the classifier is unsure or says "out of scope" ----------------------

# How a topic is named in a clarifying question, and on its button.
TOPIC_CHOICE = {
    "ask_definition": ("de ce qu'est le métier", "Le métier"),
    "ask_missions": ("des missions", "Missions"),
    "ask_employers": ("des employeurs", "Employeurs"),
    "ask_skills": ("des compétences", "Compétences"),
    "ask_training": ("de la formation", "Formation"),
    "ask_salary": ("du salaire", "Salaire"),
    "ask_comparison": ("des métiers voisins", "Métiers voisins"),
    "ask_outlook": ("des perspectives du métier", "Perspectives"),
    "ask_conditions": ("des conditions de travail", "Conditions de travail"),
    "ask_career": ("de l'évolution de carrière", "Évolution de carrière"),
    "ask_source": ("de mes sources", "Source"),
    "list_jobs": ("des métiers que je connais", "Métiers connus"),
}
CLARIFY = "Je ne suis pas sûr de bien comprendre. Vous voulez parler {choices} ?"
CLARIFY_ONE = "Je ne suis pas sûr de bien comprendre. Vous voulez parler {choice} ?"

# Facts found by the words of the question, each followed by the source's own words.
MENTIONS_INTRO = "Ce que dit ma source sur « {terms} » pour le métier {de_title} :"
CLOSEST_INTRO = (
    "Je ne suis pas sûr d'avoir compris votre question. Voici ce que ma source dit de plus proche, "
    "pour le métier {de_title} :"
)
FACT_WITH_QUOTE = "- {text} (Texte de la source : « {quote} »)"

# A reply that failed the check before sending (bot/answers/verify.py).
UNCHECKED_REPLY = (
    "Désolé, je n'ai pas pu vérifier ma réponse dans ma source, alors je préfère ne pas vous la donner. "
    "Pouvez-vous poser votre question autrement ?"
)


# --- What a reply says the sheet lacks ------------------------------------------

# A reply framed with one of these templates says that the sheet has no answer:
# the facet it lacks, for the operator's report of what people ask and the
# knowledge does not hold (`boussole report`). Filled from the template's fields.
GAP_FACETS = {
    "NOTHING_ON_SECTION": "{label}",
    "NOTHING_ON_ASPECT": "{label}",
    "SALARY_NO_LEVEL": "salaire d'un profil {asked}",
    "SALARY_NO_REGION": "salaire pour {asked}",
    "SALARY_NO_BASIS": "salaire {asked}",
    "SALARY_NO_PERIOD": "salaire {asked}",
    "COMPARISON_NONE": "comparaison avec d'autres métiers",
    "COMPARISON_MISSING": "comparaison avec {other}",
    "NO_SHEET": "pas de fiche : {name}",
    "NO_SHEET_INDEXED": "pas de fiche : {name}",
}


def gaps(used: list[tuple[str, dict]]) -> list[str]:
    """The facets the sheet lacks, from the (template, fields) pairs a reply was framed with."""
    facets = [GAP_FACETS[name.split("[", 1)[0]].format(**fields)
              for name, fields in used if name.split("[", 1)[0] in GAP_FACETS]
    return list(dict.fromkeys(facets))


# --- Filling a template ---------------------------------------------------------

_used: ContextVar[Optional[list]] = ContextVar("boussole_templates_used", default=None)


def fill(name: str, key: Union[str, int, None] = None, /, **fields) -> str:
    """Template `name` (entry `key` of a table), filled; noted for the reply check's log."""
    template = globals()[name] if key is None else globals()[name][key]
    used = _used.get()
    if used is not None:
        used.append((name if key is None else f"{name}[{key}]", fields))
    return template.format(**fields)


@contextmanager
def recording() -> Iterator[list]:
    """Collect the (template, fields) pairs filled inside the block."""
    token = _used.set([])
    try:
        yield _used.get()
    finally:
        _used.reset(token)
