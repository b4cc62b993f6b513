"""The vectorized US fast path must agree with phonenumbers on every value."""

import random

import polars as pl

from roster_pipeline.normalize.phones import parse_distinct, parse_phone

FORMATS = (
    "{a}{e}{l}",
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "+1 {a} {e} {l}",
    "+1{a}{e}{l}",
    "1-{a}-{e}-{l}",
    "1 ({a}) {e}-{l}",
    "1{a}{e}{l}",
    "+1 ({a}) {e}.{l}",
    " {a} {e} {l} ",
)
ODD = [
    "555-0100",
    "+44 20 7946 0958",
    "+44 7700 900123",
    "+1 268 464 1234",
    "(809) 555-1212",
    "+1 684 733 1234",
    "1-800-555-0199",
    "900-555-0199",
    "911",
    "+33 6 12 34 56 78",
    "abc",
    "4.17E+02",
    "(415) 867-5309 x12",
    "(115) 867-5309",
    "+1 1415 867 5309",
    "0114158675309",
    "",
]


def sample(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        area = f"{rng.randint(0, 999):03d}" if rng.random() < 0.2 else f"{rng.randint(200, 999)}"
        exchange = f"{rng.randint(0, 999):03d}"
        line = f"{rng.randint(0, 9999):04d}"
        out.append(rng.choice(FORMATS).format(a=area, e=exchange, l=line))
    return out + ODD


def test_fast_path_equals_phonenumbers_on_every_value():
    values = sample(40_000)
    table = parse_distinct(pl.Series(values))
    got = {
        r["raw"]: (r["e164"], bool(r["landline"]) if r["e164"] else False) for r in table.to_dicts()
    }
    expected = {v: parse_phone(v, "US") for v in set(values) if v is not None}
    mismatches = [(v, got[v], expected[v]) for v in expected if got[v] != expected[v]]
    assert mismatches == []
    assert sum(1 for e, _ in expected.values() if e) > 15_000  # both paths are exercised


def test_other_regions_skip_the_fast_path():
    table = parse_distinct(pl.Series(["020 7946 0958", "07700 900123"]), region="GB")
    assert table.sort("raw")["e164"].to_list() == ["+442079460958", None]
