"""Inputs cannot hurt the host or the run: links, names, special files, sizes, manifests.

Each test puts one hostile thing in a sources folder beside a real seed and checks that it is
refused or bounded with a reason that names it, that the seed is still read, and that nothing
outside the folder was read.
"""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest
from conftest import SEEDS_DIR

from orchestration.assets.sources import snapshot_sources
from orchestration.extract.manifest import ManifestError, load_manifest
from orchestration.extract.pipeline import extract_document, extract_sources
from orchestration.extract.source_files import safe_name
from orchestration.readers import limits
from orchestration.readers.decoding import UnreadableDocument
from orchestration.readers.text_file import read_text_file

SEED = SEEDS_DIR / "001_c9601cb349fb6821.txt"
TSV_SEED = SEEDS_DIR / "003_fea1944156b82701.txt"  # tab-separated: a line of tabs is a row of cells
SECRET = "部门预算 机密 收支总表 一般公共服务支出 合计 本年收入 上年结转\n".encode() * 3


@pytest.fixture
def sources(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    return folder


@pytest.fixture
def outside(tmp_path):
    """A readable Chinese text file outside the sources folder (what /etc/passwd stands for)."""
    path = tmp_path / "elsewhere" / "secret.txt"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def _documents(folder):
    return {e.document["source_name"]: e for e in extract_sources(folder)}


def test_a_link_out_of_the_folder_is_not_followed(sources, outside):
    (sources / "002_link.txt").symlink_to(outside)
    documents = _documents(sources)
    link = documents["002_link.txt"]
    assert link.document["status"] == "unreadable"
    assert "outside the sources folder" in link.document["error"]
    assert link.document["sha256"] != hashlib.sha256(SECRET).hexdigest()
    assert link.cells == [] and link.issues[0]["severity"] == "error"
    assert snapshot_sources(sources)["002_link.txt"] != hashlib.sha256(SECRET).hexdigest()
    assert documents[SEED.name].document["status"] == "read"


def test_a_link_through_dot_dot_is_not_followed_either(sources, outside):
    (sources / "003_dots.txt").symlink_to(os.path.relpath(outside, sources))
    assert "outside the sources folder" in _documents(sources)["003_dots.txt"].document["error"]


def test_a_dangling_link_is_reported(sources):
    (sources / "004_gone.txt").symlink_to(sources / "no_such_file.txt")
    document = _documents(sources)["004_gone.txt"].document
    assert document["status"] == "unreadable" and "does not exist (a dangling link)" in document["error"]


def test_a_link_to_a_document_inside_the_folder_is_read(sources):
    (sources / "005_alias.txt").symlink_to(sources / SEED.name)
    document = _documents(sources)["005_alias.txt"].document
    assert document["status"] == "read"
    assert document["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()


def test_a_fifo_is_not_opened(sources):
    os.mkfifo(sources / "006_pipe.txt")  # reading it would block the run for ever
    document = _documents(sources)["006_pipe.txt"].document
    assert document["status"] == "unreadable" and "not a regular file" in document["error"]


@pytest.mark.parametrize("name", ["007_line\nforged: error.txt", "008_\x1b[31mred.txt", "009_\u202etxt.exe"])
def test_a_file_name_with_control_characters_is_refused_and_never_printed_raw(sources, name):
    (sources / name).write_bytes(SEED.read_bytes())
    shown = safe_name(name)
    assert shown != name and not any(ch in shown for ch in "\n\x1b\u202e")
    extraction = _documents(sources)[shown]
    assert extraction.document["status"] == "unreadable"
    assert "control or invisible characters" in extraction.document["error"]
    for text in (
        extraction.document["source_name"],
        extraction.issues[0]["detail"],
        *snapshot_sources(sources),
    ):
        assert not any(ch in text for ch in "\n\x1b\u202e")


def test_a_file_over_the_text_size_limit_is_refused_before_it_is_read(sources):
    big = sources / "010_big.txt"
    with open(big, "wb") as handle:
        handle.write(SEED.read_bytes())
        handle.truncate(limits.MAX_FILE_BYTES["text"] + 1)
    document = _documents(sources)["010_big.txt"].document
    assert document["status"] == "unreadable"
    assert "over the 8.0 MB limit for text documents" in document["error"]


def test_a_line_over_the_limit_is_refused_with_its_number():
    text = TSV_SEED.read_bytes().rstrip(b"\n") + b"\n"
    data = text + b"1\t" * (limits.MAX_LINE_CHARS // 2 + 1) + b"\n"
    line = text.count(b"\n") + 1
    with pytest.raises(
        UnreadableDocument, match=f"line {line} has 50,002 characters, over the limit of 50,000"
    ):
        read_text_file(data, "long.txt")


def test_too_many_lines_are_refused():
    data = SEED.read_bytes() + b"x\n" * limits.MAX_TEXT_LINES
    with pytest.raises(UnreadableDocument, match="lines, over the limit of 500,000 lines"):
        read_text_file(data, "many.txt")


def test_a_row_of_many_cells_just_under_the_line_limit_is_read(tmp_path):
    # 25,000 cells on one line: the metadata scan used to copy the rest of the row for every cell
    # (n² cell copies); the whole extraction now reads it (benchmarks/input_limits.py times it).
    data = TSV_SEED.read_bytes().rstrip(b"\n") + b"\n" + "\t".join(["1"] * 24_999).encode() + b"\n"
    assert len(read_text_file(data, "wide.txt").rows[-1].cells) == 24_999
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    extraction = extract_document(path)
    assert extraction.document["status"] == "read" and extraction.document["doc_type"] == "final_account"


# --- the manifest ---------------------------------------------------------------------------------


def _manifest(folder, text: str):
    (folder / "manifest.yaml").write_text(text, encoding="utf-8")
    return load_manifest(folder)


@pytest.mark.parametrize("key", ["/etc/passwd", "../../../../../../etc/passwd", "sub/001.txt", ".."])
def test_a_manifest_key_must_name_a_file_of_the_folder(sources, key):
    with pytest.raises(ManifestError, match="manifest.yaml: entry .*is a path: name a file of"):
        _manifest(sources, f"'{key}':\n  publisher: 某局\n")


def test_a_manifest_key_naming_a_link_out_of_the_folder_is_refused(sources, outside):
    (sources / "002_link.txt").symlink_to(outside)
    with pytest.raises(ManifestError, match="'002_link.txt' is not in .* as a readable document"):
        _manifest(sources, "002_link.txt:\n  publisher: 某局\n")


def test_an_alias_bomb_is_refused_naming_the_manifest_and_line(sources):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    bomb = "\n".join(lines) + "\n"
    assert len(bomb.encode()) < 400  # 9^9 strings once expanded
    with pytest.raises(
        ManifestError, match=r"manifest.yaml, line 1: more than 100,000 values once its aliases"
    ):
        _manifest(sources, bomb)


def test_too_many_aliases_and_too_deep_are_refused(sources):
    aliases = "x: &x 1\ny: [" + ", ".join(["*x"] * (limits.MAX_MANIFEST_ALIASES + 1)) + "]\n"
    with pytest.raises(ManifestError, match=r"manifest.yaml, line 2: more than 100 aliases"):
        _manifest(sources, aliases)
    deep = f"{SEED.name}:\n  publisher: " + "[" * 20 + "]" * 20 + "\n"
    with pytest.raises(ManifestError, match=r"manifest.yaml, line 2: nested deeper than 10 levels"):
        _manifest(sources, deep)


def test_a_python_tag_is_refused_naming_the_manifest_and_line(sources):
    text = f"{SEED.name}:\n  publisher: !!python/object/apply:os.system ['touch pwned']\n"
    with pytest.raises(ManifestError, match=r"manifest.yaml, line 2: only plain YAML values are allowed"):
        _manifest(sources, text)
    assert not (sources / "pwned").exists()


def test_a_malformed_manifest_names_the_file_and_line(sources):
    with pytest.raises(ManifestError) as error:
        _manifest(sources, f"{SEED.name}:\n  publisher: [unclosed\n  source_url: x\n")
    message = str(error.value)
    assert "manifest.yaml, line " in message and "not valid YAML" in message
    assert "<unicode string>" not in message


def test_an_oversized_manifest_is_refused(sources):
    with pytest.raises(ManifestError, match="manifest.yaml: .*over the 1.0 MB limit|manifest.yaml: over"):
        _manifest(sources, "# padding\n" * (limits.MAX_MANIFEST_BYTES // 10 + 1))


def test_a_manifest_that_links_out_of_the_folder_is_not_read(sources, outside):
    (sources / "manifest.yaml").symlink_to(outside)
    with pytest.raises(ManifestError, match="outside the sources folder"):
        load_manifest(sources)


def test_a_bad_value_is_quoted_short_in_the_message(sources):
    with pytest.raises(ManifestError) as error:
        _manifest(sources, f"{SEED.name}:\n  publisher: [{', '.join(['x' * 50] * 200)}]\n")
    assert len(str(error.value)) < 400


def test_a_file_rewritten_in_place_with_the_same_size_and_times_is_hashed_again(tmp_path, monkeypatch):
    """Fingerprints are remembered per process only for files settled when hashed (source_files.py): a
    file rewritten within the timestamps' granularity, even with its size and mtime put back, is read
    again; a settled one is not."""
    import time

    from orchestration.extract import source_files

    path = tmp_path / "a.txt"
    path.write_bytes(b"amount 10.00")
    entry = source_files.SourceFile(path, path, None)
    first = entry.fingerprint()
    assert first == hashlib.sha256(b"amount 10.00").hexdigest()
    times = os.stat(path)
    path.write_bytes(b"amount 19.00")
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert entry.fingerprint() == hashlib.sha256(b"amount 19.00").hexdigest()
    # Seen as settled (hashed long after its last change): the second fingerprint is not read from disk.
    expected = hashlib.sha256(b"amount 19.00").hexdigest()
    monkeypatch.setattr(time, "time_ns", lambda: os.stat(path).st_ctime_ns + 10**10)
    assert entry.fingerprint() == expected
    monkeypatch.setattr(hashlib, "sha256", None)  # hashing again would fail
    assert entry.fingerprint() == expected
