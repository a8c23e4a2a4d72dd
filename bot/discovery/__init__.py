"""Helping someone choose a métier: from what they like (France Travail's centres d'intérêt), how long
they want to study and their RIASEC profile, to ROME 4.0 fiches to explore."""
