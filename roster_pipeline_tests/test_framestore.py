import shutil
import time
from dataclasses import dataclass

import dagster as dg
import polars as pl
import pytest

from roster_pipeline import framestore
from roster_pipeline.defs.roster.io_manager import FrameStoreIOManager


@dataclass
class Holder:
    name: str
    frames: dict[str, pl.DataFrame]


def test_objects_with_frames_round_trip(tmp_path):
    obj = Holder(
        "b1", {"users": pl.DataFrame({"id": ["00417", None], "n": [1, 2]}), "x": pl.DataFrame()}
    )
    framestore.dump(obj, tmp_path / "store")
    framestore.dump(obj, tmp_path / "store")  # replacing an existing store works
    back = framestore.load(tmp_path / "store")
    assert back.name == "b1" and back.frames["users"].equals(obj.frames["users"])
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [
        "frame-0.arrow",
        "frame-1.arrow",
        "object.pickle",
    ]


def test_a_replaced_store_is_removed_in_the_background_and_leftovers_next_time(tmp_path):
    obj = Holder("b1", {"users": pl.DataFrame({"id": ["1"]})})
    framestore.dump(obj, tmp_path / "store")
    (tmp_path / "store.old-interrupted").mkdir()  # a deletion a killed process never finished
    framestore.dump(obj, tmp_path / "store")
    framestore.dump(obj, tmp_path / "store")
    for _ in range(100):
        if [p.name for p in tmp_path.iterdir()] == ["store"]:
            break
        time.sleep(0.05)
    assert [p.name for p in tmp_path.iterdir()] == ["store"]


def test_the_next_step_in_this_process_takes_the_value_once_from_memory(tmp_path):
    manager = FrameStoreIOManager(base_dir=str(tmp_path))
    key = dg.AssetKey("raw_roster_files")
    obj = Holder("b1", {"users": pl.DataFrame({"id": ["00417"]})})

    def step_input(run_id: str) -> dg.InputContext:
        upstream = dg.build_output_context(asset_key=key, run_id=run_id)
        return dg.build_input_context(asset_key=key, upstream_output=upstream)

    manager.handle_output(dg.build_output_context(asset_key=key, run_id="r1"), obj)
    obj.frames.pop("users")  # the next step may consume what it was handed...
    assert manager.load_input(step_input("r1")) is obj
    again = manager.load_input(step_input("r1"))  # ...while the store keeps what was written
    assert again is not obj and again.frames["users"]["id"].to_list() == ["00417"]
    assert manager.load_input(step_input("another run")).name == "b1"


def test_an_interrupted_write_leaves_no_stale_store_and_says_so(tmp_path):
    framestore.dump(Holder("yesterday", {}), tmp_path / "store")
    thread = framestore.dump(Holder("today", {}), tmp_path / "store", background=True)
    thread.join()
    assert framestore.load(tmp_path / "store").name == "today"
    shutil.rmtree(tmp_path / "store")  # as if the process died while writing
    with pytest.raises(framestore.StoreMissingError, match="Materialize the upstream asset"):
        framestore.load(tmp_path / "store")


def test_a_failed_background_write_is_raised_to_whoever_waits_for_it(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's parent folder should be")
    thread = framestore.dump(Holder("b1", {}), blocked / "store", background=True)
    with pytest.raises(OSError):
        thread.join()
