"""The real-question set (``tests/nlu/real.yml``): questions people asked in public.

Never trained on and never paraphrased into training data; it is the one measure of how
the model does on questions nobody wrote for it. Scored as a person experiences it:

- **top-1**: the answer shown is a right one (``intent`` or one of ``also``); for an
  out-of-scope question, the out-of-scope reply or the fallback;
- **top-3**: a right topic is among the three the fallback would offer as buttons (topics
  only: greetings, out_of_scope and the like are never offered);
- **fallback**: the bot was unsure and offered buttons instead of an answer;
- **confident wrong**: a wrong topic answered with confidence above the threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from harness.nlu_metrics import NOT_ANSWERED, REPO_ROOT, Prediction

__all__ = ["REAL", "RealQuestion", "RealScores", "load_real", "score_real"]

REAL = REPO_ROOT / "tests" / "nlu" / "real.yml"
LANGUAGES = ("cs", "uk", "ru", "en", "mixed")


@dataclass(frozen=True)
class RealQuestion:
    """One question as asked, with the intents that answer it."""

    text: str
    intent: str
    also: tuple[str, ...]
    language: str
    source: str

    @property
    def right(self) -> frozenset[str]:
        """Every intent whose answer helps."""
        return frozenset((self.intent, *self.also))


@dataclass(frozen=True)
class Rates:
    """The four rates for one group of questions."""

    n: int
    top1: float
    top3: float
    fallback: float
    confident_wrong: float


@dataclass(frozen=True)
class RealScores:
    """Rates overall and per language, and the questions answered wrongly."""

    overall: Rates
    by_language: dict[str, Rates]
    errors: list[tuple[RealQuestion, Prediction]]


def load_real(path: Path = REAL) -> list[RealQuestion]:
    """The real questions."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        RealQuestion(
            str(q["text"]),
            str(q["intent"]),
            tuple(str(a) for a in q.get("also") or ()),
            str(q["language"]),
            str(q["source"]),
        )
        for q in data["questions"]
    ]


def _top1(q: RealQuestion, p: Prediction) -> bool:
    if q.intent == "out_of_scope":
        return p.intent in NOT_ANSWERED or p.intent in q.right
    return p.intent in q.right


def _top3(q: RealQuestion, p: Prediction) -> bool:
    return _top1(q, p) or bool(q.right & set(p.ranking))


def _rates(pairs: list[tuple[RealQuestion, Prediction]]) -> Rates:
    n = len(pairs)
    if not n:
        return Rates(0, 0.0, 0.0, 0.0, 0.0)
    return Rates(
        n,
        sum(_top1(q, p) for q, p in pairs) / n,
        sum(_top3(q, p) for q, p in pairs) / n,
        sum(p.intent == "nlu_fallback" for _, p in pairs) / n,
        sum(p.intent != "nlu_fallback" and not _top1(q, p) for q, p in pairs) / n,
    )


def score_real(questions: list[RealQuestion], predictions: list[Prediction]) -> RealScores:
    """Score predictions on the real questions."""
    pairs = list(zip(questions, predictions, strict=True))
    return RealScores(
        _rates(pairs),
        {lang: _rates([(q, p) for q, p in pairs if q.language == lang]) for lang in LANGUAGES},
        [(q, p) for q, p in pairs if not _top1(q, p)],
    )
