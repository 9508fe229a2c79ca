"""The NLU benchmark's seed spread varies the seed and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.nlu_bench import REPO, fallback_settings, seeded_config, with_threshold


def test_seeded_config_changes_only_the_random_seeds(tmp_path: Path) -> None:
    original = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    seeded = yaml.safe_load(seeded_config(REPO / "config.yml", 7, tmp_path).read_text("utf-8"))
    changed = [c["random_seed"] for c in seeded["pipeline"] if "random_seed" in c]
    assert changed == list(range(7, 7 + len(changed)))
    for before, after in zip(original["pipeline"], seeded["pipeline"], strict=True):
        assert {k: v for k, v in before.items() if k != "random_seed"} == {
            k: v for k, v in after.items() if k != "random_seed"
        }
    assert {k: v for k, v in seeded.items() if k != "pipeline"} == {
        k: v for k, v in original.items() if k != "pipeline"
    }


def test_a_config_without_a_seed_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yml"
    plain.write_text(yaml.safe_dump({"pipeline": [{"name": "WhitespaceTokenizer"}]}), "utf-8")
    with pytest.raises(SystemExit, match="random_seed"):
        seeded_config(plain, 7, tmp_path)


def test_with_threshold_changes_only_the_fallback_threshold(tmp_path: Path) -> None:
    original = yaml.safe_load((REPO / "config.yml").read_text(encoding="utf-8"))
    path = with_threshold(REPO / "config.yml", 0.7, tmp_path / "t.yml")
    changed = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert fallback_settings(path) == (0.7, fallback_settings(REPO / "config.yml")[1])
    for before, after in zip(original["pipeline"], changed["pipeline"], strict=True):
        if before["name"] != "FallbackClassifier":
            assert before == after
        else:
            assert {**before, "threshold": 0.7} == after
    assert {k: v for k, v in changed.items() if k != "pipeline"} == {
        k: v for k, v in original.items() if k != "pipeline"
    }
