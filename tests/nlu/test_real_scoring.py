"""How the real-question set is scored: top-3 counts the buttons the fallback shows."""

from __future__ import annotations

from harness.nlu_metrics import Prediction, prediction_from_parse
from harness.real_questions import RealQuestion, score_real


def _parse(intent: str, ranking: list[str]) -> Prediction:
    result = {
        "intent": {"name": intent},
        "intent_ranking": [{"name": n, "confidence": 0.1} for n in ranking],
    }
    return prediction_from_parse(result, 0.0)


def _question(intent: str) -> RealQuestion:
    return RealQuestion("…", intent, (), "uk", "https://example.org")


def test_the_ranking_holds_only_topics_the_fallback_can_offer() -> None:
    p = _parse("nlu_fallback", ["greet", "housing", "nlu_fallback", "out_of_scope", "work"])
    assert p.ranking == ("housing", "work")


def test_top3_is_a_right_topic_among_the_three_buttons() -> None:
    # Meta intents take no button, so the fourth-ranked intent is the third button.
    ranked = ["greet", "thank", "housing", "work", "travel", "documents"]
    questions = [_question("travel"), _question("documents")]
    scores = score_real(questions, [_parse("nlu_fallback", ranked)] * 2)
    assert scores.overall.top3 == 0.5
    assert scores.overall.top1 == 0.0
    assert scores.overall.fallback == 1.0
    assert scores.overall.confident_wrong == 0.0


def test_an_out_of_scope_question_is_right_only_when_not_answered() -> None:
    questions = [_question("out_of_scope"), _question("out_of_scope")]
    predictions = [_parse("nlu_fallback", ["work"]), _parse("work", ["work", "out_of_scope"])]
    scores = score_real(questions, predictions)
    assert scores.overall.top1 == 0.5
    assert scores.overall.top3 == 0.5
    assert scores.overall.confident_wrong == 0.5
