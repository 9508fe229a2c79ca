"""The plain graph runner gives the trained model's answers exactly as dask's does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.channels import UserMessage
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

from harness.nlu_metrics import load_heldout
from harness.stack import MODEL
from rasa_server.graph_runner import sequential_run

DASK_RUN = DaskGraphRunner.run
# Loading DIET in this process runs a step of TensorFlow, which warns from inside
# Python's random module (not our code).
pytestmark = [
    pytest.mark.filterwarnings("ignore:non-integer arguments to randrange:DeprecationWarning"),
    pytest.mark.needs_model,
]


@pytest.fixture(scope="module")
def agent() -> Agent:
    """The trained model, loaded in this process (no servers)."""
    if not MODEL.exists():
        pytest.fail("no trained model: ./test trains it first")
    return Agent.load(str(MODEL))


async def _with(runner: Callable[..., Any], work: Callable[[], Awaitable[Any]]) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DaskGraphRunner, "run", runner)
        return await work()


async def test_same_parses_and_predictions_as_dask(agent: Agent) -> None:
    texts = [e.text for e in load_heldout()][::10]  # every form and topic, some regions
    processor = agent.processor
    assert processor is not None

    async def answers() -> list[Any]:
        out: list[Any] = []
        for i, text in enumerate(texts):
            out.append(await processor.parse_message(UserMessage(text)))
            message = UserMessage(text, sender_id=f"user{i}")
            tracker = await processor.log_message(message, should_save_tracker=False)
            prediction = processor.predict_next_with_tracker(tracker)
            assert prediction is not None
            out.append({k: prediction[k] for k in ("scores", "policy", "confidence")})
        return out

    calls = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("targets"))
        return sequential_run(*args, **kwargs)

    ours = await _with(counted, answers)
    assert ours == await _with(DASK_RUN, answers)
    assert len(ours) == 2 * len(texts) > 100
    assert len(calls) >= 3 * len(texts)  # parse, parse and predict: all through ours


async def test_same_errors_as_dask(agent: Agent) -> None:
    processor = agent.processor
    assert processor is not None
    runner, target = processor.graph_runner, processor.model_metadata.nlu_target
    assert isinstance(runner, DaskGraphRunner)

    async def missing_input() -> str:
        with pytest.raises(GraphRunError) as error:
            runner.run(inputs={}, targets=[target])
        return str(error.value)

    async def clashing_input() -> str:
        with pytest.raises(GraphRunError) as error:
            runner.run(inputs={"__message__": target}, targets=[target])
        return str(error.value)

    for case in (missing_input, clashing_input):
        assert await _with(sequential_run, case) == await _with(DASK_RUN, case)
