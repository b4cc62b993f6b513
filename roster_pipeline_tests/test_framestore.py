from dataclasses import dataclass

import polars as pl

from roster_pipeline import framestore


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
