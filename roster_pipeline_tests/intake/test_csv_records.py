import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from roster_pipeline.intake.csv_records import LINE_SEEDS, _split_known, parse


def rows(text):
    parsed = parse(text, "f.csv")
    return parsed, parsed.rows.to_dicts(), parsed.findings.select("line", "code").rows()


def test_physical_line_numbers_survive_crlf_blank_lines_and_embedded_newlines():
    parsed, data, found = rows('a,b\r\n1,"x, y"\r\n\r\n2,"two\nlines"\n3,z\n')
    assert parsed.header == ["a", "b"]
    assert [(r["_line"], r["c0"], r["c1"]) for r in data] == [
        (2, "1", "x, y"),
        (4, "2", "two\nlines"),
        (6, "3", "z"),
    ]
    assert found == []
    assert parsed.records == 3


def test_values_are_trimmed_strings_and_blank_is_null():
    _, data, _ = rows('id,name\n 00417 ,"  NA "\n0042,\n')
    assert data[0]["c0"] == "00417" and data[0]["c1"] == "NA"
    assert data[1]["c1"] is None


def test_doubled_quotes_inside_quoted_fields():
    _, data, _ = rows('a,b\n1,"say ""hi"""\n')
    assert data[0]["c1"] == 'say "hi"'


def test_ragged_short_row_is_read_with_a_warning():
    _parsed, data, found = rows("a,b,c\n1,2\n")
    assert data[0]["c2"] is None
    assert found == [(2, "CSV_RAGGED_ROW")]


def test_row_with_extra_cells_is_reported_not_read():
    parsed, data, found = rows("a,b\n1,2,3\n4,5\n")
    assert [r["_line"] for r in data] == [3]
    assert found == [(2, "CSV_TOO_MANY_FIELDS")]
    assert parsed.records == 2


def test_trailing_empty_cells_are_not_extra_fields():
    _, data, found = rows("a,b\n1,2,,\n")
    assert found == [] and data[0]["c1"] == "2"


def test_trailing_empty_header_names_are_dropped():
    parsed, _, found = rows("a,b,,\n1,2\n")
    assert parsed.header == ["a", "b"] and found == []


def test_unbalanced_quote_is_reported_and_following_rows_still_read():
    parsed, data, found = rows('a,b\n1,"oops\n2,ok\n3,ok\n')
    assert [r["_line"] for r in data] == [3, 4]
    assert found == [(2, "CSV_UNBALANCED_QUOTE")]
    assert parsed.records == 3


def test_text_after_a_closing_quote_is_malformed():
    _, data, found = rows('a,b\n1,"x"y\n')
    assert data == [] and found == [(2, "CSV_MALFORMED_QUOTES")]


def test_header_only_file_has_no_records():
    parsed, data, _found = rows("a,b\n")
    assert parsed.header == ["a", "b"] and data == [] and parsed.records == 0


def test_fully_quoted_header_and_rows():
    parsed, data, found = rows('"sourcedId","name"\n"0042",""\n')
    assert parsed.header == ["sourcedId", "name"]
    assert data == [{"_line": 2, "c0": "0042", "c1": None}] and found == []


def test_quote_runs_over_merged_lines_give_findings_not_a_polars_panic():
    # found by hypothesis: formatting these findings panicked inside polars 2.1 before rechunking
    text = 'e\n7\n"""""""""""","é"\n"""",\',""\n""""""""""\n"\n"'
    parsed = parse(text, "users.csv")
    assert set(parsed.findings["code"]) >= {"CSV_TOO_MANY_FIELDS"}
    assert parsed.records == parsed.rows.height + parsed.findings["line"].n_unique()


def test_rows_known_by_their_hash_are_not_parsed_and_a_repeated_line_never_is():
    text = "id,name\n1,Ana\n2,Ben\n3,Cy\n2,Ben\n"
    first = parse(text, "f.csv")
    assert first.known is None and first.hashes["_line"].to_list() == [2, 3, 4, 5]
    hashes = dict(zip(first.hashes["_line"], first.hashes["h1"], strict=True))
    asked = []

    h2 = dict(zip(first.hashes["_line"], first.hashes["h2"], strict=True))

    def known(header_line):
        asked.append(header_line)
        return pl.DataFrame(
            {"h1": [hashes[2], hashes[3], hashes[4]], "h2": [h2[2], h2[3], h2[4]]},
            schema={"h1": pl.UInt64, "h2": pl.UInt64},
        )

    second = parse(text.replace("3,Cy", "3,Cyd"), "f.csv", known)
    assert asked == ["id,name"]
    assert second.known["_line"].to_list() == [2]  # Ben's line comes twice: read both
    assert second.rows["_line"].to_list() == [3, 4, 5]
    assert second.rows["c1"].to_list() == ["Ben", "Cyd", "Ben"]
    assert second.hashes["_line"].to_list() == [3, 4, 5]
    assert second.records == 4
    # the memo's rows no line sends again: Ben's (sent twice, so read) and Cy's (changed)
    assert sorted(second.unsent["h1"].to_list()) == sorted([hashes[3], hashes[4]])
    careful = parse('id,name\n1,Ana\n2,"two\nlines"\n', "f.csv", known)  # not a clean file
    assert careful.known is None and careful.hashes is None


hashes = st.lists(st.integers(0, 20), max_size=30)


@given(lines=hashes, memo=hashes, twins=st.lists(st.integers(0, 20), max_size=3))
def test_lines_sent_again_are_those_whose_both_hashes_a_memo_row_has(lines, memo, twins):
    """``_split_known`` against a plain reading of the rule (h2 = h1, or h1 + 1 for twins)."""
    body = pl.Series([f"line {v}" for v in lines], dtype=pl.String)
    text = pl.concat([pl.Series(["id"]), body])
    hashed = pl.DataFrame({"h1": body.hash(LINE_SEEDS[0]), "h2": body.hash(LINE_SEEDS[1])})
    of = {v: (hashed["h1"][i], hashed["h2"][i]) for i, v in enumerate(lines)}
    rows = [of.get(v, (v, v)) for v in memo] + [(of[t][0], of[t][1] + 1) for t in twins if t in of]
    frame = pl.DataFrame(rows, schema={"h1": pl.UInt64, "h2": pl.UInt64}, orient="row")
    _, known, unsent = _split_known(text, lambda _: frame)
    counts = {v: lines.count(v) for v in lines}
    expected = [i + 2 for i, v in enumerate(lines) if v in memo and counts[v] == 1]
    one_each = all(memo.count(v) == 1 for v in memo if v in lines and counts[v] == 1)
    if not expected or not one_each:
        assert known is None and unsent is None
    else:
        assert known["_line"].to_list() == expected
        sent = {of[lines[ln - 2]] for ln in expected}
        assert sorted(unsent.rows()) == sorted(r for r in rows if r not in sent)
