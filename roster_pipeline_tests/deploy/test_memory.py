"""scripts/memory.sh: the processes that run the pipeline give the memory they free back at once."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roster_pipeline_tests.conftest import PROJECT

SETTING = "_RJEM_MALLOC_CONF"
FREED = """
import gc
import polars as pl

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024

before = rss()
numbers = pl.DataFrame({"i": pl.int_range(0, 3_000_000, eager=True)})
frame = numbers.select(a=pl.format("value number {} of a large column", pl.col("i")))
frame = frame.with_columns(b=pl.col("a").str.to_uppercase(), c=pl.col("a").str.reverse())
held = rss()
del frame, numbers
gc.collect()
print(before, held, rss())
"""


def _measure(source_memory: bool) -> tuple[int, int, int]:
    """Peak-free RSS (MiB) before, while holding and after freeing a large frame."""
    env = {k: v for k, v in os.environ.items() if k != SETTING}
    prefix = "source scripts/memory.sh && " if source_memory else ""
    done = subprocess.run(
        ["bash", "-c", f'{prefix}exec "{sys.executable}" -c "$CODE"'],
        cwd=PROJECT,
        env={**env, "CODE": FREED},
        capture_output=True,
        text=True,
        check=True,
    )
    before, held, after = map(int, done.stdout.split())
    return before, held, after


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's /proc for RSS")
def test_a_freed_frame_goes_back_to_the_system_under_the_scripts_setting():
    before, held, after = _measure(source_memory=True)
    assert held - before > 300, "the frame should take a few hundred MiB"
    assert after - before < (held - before) / 4  # given back, not kept for later
    # polars' own setting keeps what was freed (so the assertion above can fail)
    before, held, after = _measure(source_memory=False)
    assert after - before > (held - before) / 2


def test_every_script_that_starts_the_pipeline_sets_it_and_a_chosen_value_wins():
    for script in ("dev.sh", "deploy-local.sh", "benchmark.sh"):
        assert "scripts/memory.sh" in (PROJECT / "scripts" / script).read_text(), script
    show = ["bash", "-c", f"source scripts/memory.sh && echo ${SETTING}"]
    env = {k: v for k, v in os.environ.items() if k != SETTING}
    ours = subprocess.run(show, cwd=PROJECT, env=env, capture_output=True, text=True, check=True)
    assert ours.stdout.strip() == "dirty_decay_ms:0,muzzy_decay_ms:0"
    chosen = {**env, SETTING: "dirty_decay_ms:250"}
    theirs = subprocess.run(show, cwd=PROJECT, env=chosen, capture_output=True, text=True)
    assert theirs.stdout.strip() == "dirty_decay_ms:250"
