"""“Did you mean …?”: the one place that picks close matches for a mistyped name or keyword."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` candidates close to ``word``, best first; case is ignored."""
    import difflib  # only when a mistake needs a suggestion

    by_folded: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        by_folded.setdefault(candidate.casefold(), candidate)
    matches = difflib.get_close_matches(word.casefold(), list(by_folded), n=limit, cutoff=0.6)
    return [by_folded[match] for match in matches]


def did_you_mean(word: str, candidates: Iterable[str], quote: str = "`") -> str | None:
    """A hint naming the closest candidates, or ``None`` when nothing is close."""
    matches = closest(word, candidates)
    if not matches:
        return None
    return "did you mean " + " or ".join(f"{quote}{match}{quote}" for match in matches) + "?"


def with_article(noun: str) -> str:
    """``attribute`` -> ``an attribute``; ``score`` -> ``a score``."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun
