"""Schema of a métier sheet (one YAML file per métier in data/knowledge/).

Sections follow ROME 4.0 and ONISEP Idéo (see docs/knowledge.md). pydantic
does the type checks; the loader adds what a schema cannot see (ids unique
across the sheet, aspects known, quotes present in the source document).
"""

from __future__ import annotations

from typing import Dict, List, Literal, Optional

from pydantic import BaseModel, Extra, conint, constr, validator

FactId = constr(regex=r"^[a-z][a-z0-9_]*$", min_length=2, max_length=64)
SheetId = constr(regex=r"^[a-z][a-z0-9-]*$", min_length=2, max_length=64)
NonEmpty = constr(strip_whitespace=True, min_length=1)

# Sections a question topic maps to; `topics` in aspects.yml must use these.
SECTIONS = (
    "definition",
    "missions",
    "employers",
    "skills",
    "training",
    "salary",
    "comparisons",
    "outlook",
    "conditions",
    "career",
    "access",
    "interests",
    "professional_life",
)

# The sections a topic's answer gathers, in order: ONISEP fiches carry parts
# the guide did not (accès au métier, centres d'intérêt, vie professionnelle).
TOPIC_SECTIONS = {
    "training": ("access", "training"),
    "skills": ("skills", "interests"),
    "outlook": ("outlook", "professional_life"),
    "career": ("career", "professional_life"),
}


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True


class Fact(_Strict):
    id: FactId
    text: NonEmpty
    source: NonEmpty
    aspects: List[str] = []
    # What the source explicitly does not say about this point, in French.
    limits: Optional[NonEmpty] = None


class TrainingFact(Fact):
    kind: Literal["school", "master", "bachelor", "certificate", "self_taught", "background"]
    provider: Optional[NonEmpty] = None
    duration: Optional[NonEmpty] = None
    cost: Optional[NonEmpty] = None


# Experience levels of the `experience_level` entity (its synonyms map onto these).
LEVELS = ("junior", "confirmé", "senior")


class SalaryFigure(Fact):
    level: Literal["junior", "confirmé", "senior"]
    amount: conint(gt=0)
    # Top of a range ("entre 1 850 et 2 500 euros"), when the source gives one.
    amount_max: Optional[conint(gt=0)] = None
    currency: Literal["EUR"]
    basis: Literal["brut", "net"]
    period: Literal["annuel", "mensuel"]
    region: Optional[NonEmpty] = None

    @validator("amount_max")
    def _range(cls, top: Optional[int], values: dict) -> Optional[int]:
        if top is not None and top < values.get("amount", 0):
            raise ValueError("amount_max is below amount")
        return top


class Salary(_Strict):
    figures: List[SalaryFigure] = []
    caveats: List[Fact] = []


class Comparison(_Strict):
    job: NonEmpty
    names: List[NonEmpty]
    facts: List[Fact]

    @validator("facts")
    def _not_empty(cls, facts: List[Fact]) -> List[Fact]:
        if not facts:
            raise ValueError("a comparison needs at least one fact")
        return facts


class AccessFact(Fact):
    # Length of studies after the bac that the quote states (ONISEP "accès au métier").
    years_after_bac: Optional[conint(ge=0, le=12)] = None


class Appellation(_Strict):
    """One name of the job in its masculine and feminine forms (ONISEP appellations)."""

    masculin: NonEmpty
    feminin: NonEmpty


RomeCode = constr(regex=r"^[A-N][0-9]{4}$")


class SourceDocument(_Strict):
    title: NonEmpty
    collection: Optional[NonEmpty] = None
    author: Optional[NonEmpty] = None
    publisher: Optional[NonEmpty] = None
    url: Optional[constr(regex=r"^https?://\S+$")] = None
    # The publisher's id of the document (ONISEP's MET.512).
    reference: Optional[NonEmpty] = None
    file: NonEmpty

    @property
    def credited(self) -> str:
        """Who the source is credited to: its publisher (Onisep), else its author."""
        return self.publisher or self.author

    @validator("file")
    def _credited(cls, file: str, values: dict) -> str:
        if not values.get("author") and not values.get("publisher"):
            raise ValueError("a source needs an author or a publisher")
        return file


class Sheet(_Strict):
    id: SheetId
    title: NonEmpty
    source: SourceDocument
    names: List[NonEmpty]
    appellations: List[Appellation] = []
    rome_codes: List[RomeCode] = []
    # The métier's fiche in ROME 4.0 (bot/knowledge/rome.py), checked against the imported fiches.
    rome_fiche: Optional[RomeCode] = None
    definition: List[Fact] = []
    missions: List[Fact] = []
    employers: List[Fact] = []
    skills: List[Fact] = []
    training: List[TrainingFact] = []
    salary: Salary = Salary()
    comparisons: List[Comparison] = []
    outlook: List[Fact] = []
    conditions: List[Fact] = []
    career: List[Fact] = []
    access: List[AccessFact] = []
    interests: List[Fact] = []
    professional_life: List[Fact] = []

    @validator("names")
    def _has_names(cls, names: List[str]) -> List[str]:
        if not names:
            raise ValueError("a sheet needs at least one job name")
        return names

    def section_facts(self, section: str) -> List[Fact]:
        """The facts of a section, flattened (salary and comparisons included)."""
        if section == "salary":
            return [*self.salary.figures, *self.salary.caveats]
        if section == "comparisons":
            return [fact for comparison in self.comparisons for fact in comparison.facts]
        return list(getattr(self, section))

    def topic_facts(self, section: str) -> List[Fact]:
        """The facts an answer on `section` reads (see TOPIC_SECTIONS)."""
        return [f for part in TOPIC_SECTIONS.get(section, (section,)) for f in self.section_facts(part)]

    def all_names(self) -> List[str]:
        """Every name of the job: its names, then both forms of each appellation."""
        forms = [form for a in self.appellations for form in (a.masculin, a.feminin)]
        return list(dict.fromkeys([*self.names, *forms]))

    def all_facts(self) -> List[Fact]:
        return [fact for section in SECTIONS for fact in self.section_facts(section)]

    def fact(self, fact_id: str) -> Optional[Fact]:
        return next((f for f in self.all_facts() if f.id == fact_id), None)


class Aspect(_Strict):
    label: NonEmpty
    topics: List[str]
    terms: List[constr(strip_whitespace=True, min_length=2)]


class AspectVocabulary(_Strict):
    aspects: Dict[constr(regex=r"^[a-z][a-z0-9_]*$"), Aspect]
