"""The unoptimised configuration the performance benchmark compares against.

It is this repository's NLU pipeline with Rasa's default dialogue policies (as ``rasa
init`` writes them: Memoization, Rule, UnexpecTED and TED), Rasa's stock SQL tracker
store, no speed-ups in ``rasa_server`` and no warm-up in the adapter.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from harness.stack import REPO_ROOT

__all__ = ["BASELINE_ENV", "baseline_model", "stock_endpoints", "train"]

DEFAULT_POLICIES = [
    {"name": "MemoizationPolicy"},
    {
        "name": "RulePolicy",
        "core_fallback_threshold": 0.3,
        "core_fallback_action_name": "action_fallback",
        "enable_fallback_prediction": True,
    },
    {"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": 100},
    {"name": "TEDPolicy", "max_history": 5, "epochs": 100, "constrain_similarities": True},
]
BASELINE_ENV = {"PORADNYK_RASA_SPEEDUPS": "0", "PORADNYK_WARM_UP": "0"}
STOCK_ENDPOINTS = {
    "action_endpoint": {"url": "${ACTION_SERVER_URL}"},
    "tracker_store": {"type": "SQL", "dialect": "sqlite", "db": "${RASA_TRACKER_DB}"},
}
_INPUTS = ("config.yml", "domain.yml", "nlu_data", "nlu_components")


def _inputs_hash() -> str:
    digest = hashlib.sha256()
    for name in _INPUTS:
        path = REPO_ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(REPO_ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def write_config(dest: Path, baseline: bool) -> Path:
    """config.yml, with Rasa's default policies when ``baseline``."""
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text(encoding="utf-8"))
    if baseline:
        config["policies"] = DEFAULT_POLICIES
    path = dest / ("config.baseline.yml" if baseline else "config.yml")
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def stock_endpoints(dest: Path) -> Path:
    """endpoints.yml with Rasa's own SQL tracker store."""
    path = dest / "endpoints.baseline.yml"
    path.write_text(yaml.safe_dump(STOCK_ENDPOINTS), encoding="utf-8")
    return path


def train(out_dir: Path, baseline: bool) -> tuple[Path, float]:
    """Train a model from scratch (fresh Rasa cache); returns it and the seconds taken."""
    name = "baseline" if baseline else "poradnyk"
    config = write_config(out_dir, baseline)
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "RASA_CACHE_DIRECTORY": cache, "RASA_TELEMETRY_ENABLED": "false"}
        cmd = [
            str(Path(sys.executable).parent / "rasa"), "train", "--config", str(config),
            "--domain", "domain.yml", "--data", "nlu_data", "--out", str(out_dir),
            "--fixed-model-name", name,
        ]  # fmt: skip
        start = time.monotonic()
        done = subprocess.run(
            cmd, check=False, cwd=REPO_ROOT, env=env, capture_output=True, text=True
        )
        seconds = time.monotonic() - start
    model = out_dir / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        raise RuntimeError(f"training {name} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return model, seconds


def baseline_model(store: Path = REPO_ROOT / "var" / "bench") -> tuple[Path, float | None]:
    """The baseline model, trained when the data changed; seconds if it was trained now."""
    stamp = store / "baseline.hash"
    model = store / "baseline.tar.gz"
    current = _inputs_hash()
    if model.exists() and stamp.exists() and stamp.read_text() == current:
        return model, None
    store.mkdir(parents=True, exist_ok=True)
    model, seconds = train(store, baseline=True)
    stamp.write_text(current)
    return model, seconds
