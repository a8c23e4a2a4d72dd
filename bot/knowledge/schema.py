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
)


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
    currency: Literal["EUR"]
    basis: Literal["brut", "net"]
    period: Literal["annuel", "mensuel"]
    region: Optional[NonEmpty] = None


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


class SourceDocument(_Strict):
    title: NonEmpty
    collection: Optional[NonEmpty] = None
    author: NonEmpty
    file: NonEmpty


class Sheet(_Strict):
    id: SheetId
    title: NonEmpty
    source: SourceDocument
    names: List[NonEmpty]
    rome_code: Optional[constr(regex=r"^[A-N][0-9]{4}$")] = None
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
