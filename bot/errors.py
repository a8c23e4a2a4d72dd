"""Error codes for operators (English). Each message names where and what.

Like spaCy's `Errors`, every message starts with a stable code so logs and
tests can refer to it; `format()` fills the values that explain the failure.
"""

from __future__ import annotations


class Errors:
    E001 = "[E001] {file}: cannot read the file ({reason})."
    E002 = "[E002] {file}, line {line}: invalid YAML ({reason})."
    E003 = "[E003] {file}: the document must be a mapping, got {kind}."
    E004 = "[E004] {file}, field '{field}' (line {line}): {reason}."
    E005 = "[E005] {file}, field '{field}' (line {line}): duplicate fact id '{fact_id}' (first used at '{first}')."
    E006 = "[E006] {file}, field '{field}' (line {line}): unknown aspect '{aspect}'; known aspects are listed in {aspects_file}."
    E007 = "[E007] {file}, field '{field}' (line {line}): quoted source not found in {source_file}: \"{quote}\"."
    E008 = "[E008] {file}, field '{field}' (line {line}): source document {source_file} does not exist."
    E009 = "[E009] {file}: sheet id '{sheet_id}' is already used by {other}."
    E010 = "[E010] {file}, field '{field}' (line {line}): job name '{name}' is already a name of sheet '{other}'."
    E011 = "[E011] {directory}: no métier sheet found (expected *.yml files next to aspects.yml)."
    E012 = "[E012] {file}, field '{field}' (line {line}): aspect topic '{topic}' is not a sheet section ({sections})."
    E014 = "[E014] {file}, field '{field}' (line {line}): term '{term}' is also a term of aspect '{other}'; a term must reveal one aspect only."
    E013 = "[E013] {file}: the sheet id '{sheet_id}' must match the file name '{stem}'."
    E020 = "[E020] {file}: generated NLU data is out of date with data/knowledge; run `boussole train` (or `boussole check --fix`)."
    E030 = "[E030] {path}: {reason}."
    E031 = "[E031] {file}, item {item}: {reason}; fix the file and import it again."
    E032 = "[E032] {file}, form '{form}': unknown métier '{metier}' (expected a ROME 4.0 code of the imported fiches or a sheet id)."
    E033 = "[E033] {file}, form '{form}': already a name of {metier} in the sources; remove the line."
    E034 = "[E034] {file}: the ROME 4.0 fiches are missing or out of date with {sources}; run `boussole train` (or `boussole check --fix`)."
    E036 = "[E036] {file}: the Dares' families are missing or out of date with {sources}; run `boussole train` (or `boussole check --fix`)."
    E037 = "[E037] {file}, {field}: {reason}."
    E035 = "[E035] {file}, field 'rome_fiche': {code} is not a fiche of the imported ROME 4.0 ({fiches}); fix the code, or run `boussole train` to import the fiches."


class BoussoleError(Exception):
    """Base class for errors an operator must act on."""


class KnowledgeError(BoussoleError):
    """A knowledge file is invalid; the message names the file, field and fix."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))
