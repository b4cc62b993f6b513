"""Polars' allocator gives freed memory back at once in any process that imports the package."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roster_pipeline.allocator import POLARS_ALLOCATOR, RETURN_AT_ONCE

FREED = """
import gc, io, sys
{first}
import polars as pl

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

before = rss()
numbers = pl.DataFrame({{"i": pl.int_range(0, 3_000_000, eager=True)}})
frame = numbers.select(a=pl.format("value number {{}} of a large column", pl.col("i")))
frame = frame.with_columns(b=pl.col("a").str.to_uppercase(), c=pl.col("a").str.reverse())
held = rss()
del frame
gc.collect()
print(before, held, rss())
"""


def _run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _env_without_setting() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != POLARS_ALLOCATOR}


def test_importing_the_package_sets_the_allocator_unless_the_deployment_did() -> None:
    show = f"import roster_pipeline, os; print(os.environ[{POLARS_ALLOCATOR!r}])"
    assert _run(show, _env_without_setting()) == RETURN_AT_ONCE
    chosen = {**_env_without_setting(), POLARS_ALLOCATOR: "dirty_decay_ms:500"}
    assert _run(show, chosen) == "dirty_decay_ms:500"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc for RSS")
def test_memory_a_frame_held_goes_back_to_the_system_once_it_is_freed() -> None:
    env = _env_without_setting()
    before, held, after = map(int, _run(FREED.format(first="import roster_pipeline"), env).split())
    assert held - before > 300, "the frame should take a few hundred MiB"
    assert after - before < (held - before) / 4  # given back, not kept for later
    # without the package's setting, polars keeps what it freed (so the test above can fail)
    before, held, after = map(int, _run(FREED.format(first=""), env).split())
    assert after - before > (held - before) / 2
