"""Crash-safe JSON lines: partial tails, corrupt lines, appends after an interruption."""

from __future__ import annotations

import json

import pytest

from arm_gym.jsonl import CorruptRecordError, JsonlWriter, append_jsonl, read_jsonl, repair_tail


def test_round_trip(tmp_path):
    path = tmp_path / "sub" / "x.jsonl"
    assert append_jsonl(path, [{"a": 1}, {"b": "é"}]) == 2
    assert list(read_jsonl(path)) == [{"a": 1}, {"b": "é"}]


def test_partial_last_line_is_skipped_then_repaired_before_append(tmp_path, caplog):
    path = tmp_path / "x.jsonl"
    append_jsonl(path, [{"i": 0}, {"i": 1}])
    with path.open("a") as fh:
        fh.write('{"i": 2, "trunc')
    assert list(read_jsonl(path)) == [{"i": 0}, {"i": 1}]
    assert "partial last line" in caplog.text
    append_jsonl(path, [{"i": 3}])
    assert [r["i"] for r in read_jsonl(path)] == [0, 1, 3]


def test_partial_line_that_happens_to_parse_is_kept(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"i": 0}\n{"i": 1}')
    assert [r["i"] for r in read_jsonl(path)] == [0, 1]
    assert repair_tail(path) == len('{"i": 1}')
    assert path.read_text() == '{"i": 0}\n'


def test_corrupt_middle_line_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"i": 0}\nnot json\n{"i": 2}\n')
    with pytest.raises(CorruptRecordError, match="x.jsonl:2"):
        list(read_jsonl(path))
    assert [r["i"] for r in read_jsonl(path, strict=False)] == [0, 2]


def test_writer_refuses_after_close_and_fsyncs(tmp_path):
    path = tmp_path / "x.jsonl"
    writer = JsonlWriter(path, fsync=True)
    writer.write({"a": 1})
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match="closed"):
        writer.write({"a": 2})
    assert json.loads(path.read_text()) == {"a": 1}


def test_repair_tail_on_missing_and_empty_and_newline_free_file(tmp_path):
    assert repair_tail(tmp_path / "missing.jsonl") == 0
    (tmp_path / "empty.jsonl").write_text("")
    assert repair_tail(tmp_path / "empty.jsonl") == 0
    (tmp_path / "one.jsonl").write_text('{"a"')
    assert repair_tail(tmp_path / "one.jsonl") == 4
    assert (tmp_path / "one.jsonl").read_text() == ""
