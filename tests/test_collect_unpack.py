"""Reading a download never trusts it: no name becomes a path, links are refused, size is bounded."""
import os
import zipfile

import pytest

from grader.collect.unpack import Bounds, Download, UnpackError, read_bytes
from lms_downloads import write_zip, zip_bytes


def entries(path, bounds=None):
    with Download(path, bounds) as download:
        return {e.path: (read_bytes(e) if e.staged else None, e.problem) for e in download.entries}


def test_a_path_traversal_entry_is_refused_and_nothing_is_written_outside(tmp_path):
    download = write_zip(tmp_path / "d.zip", {"../../escaped.py": "x = 1\n", "ok.py": "y = 2\n"})
    found = entries(download)
    assert found["ok.py"] == (b"y = 2\n", None)
    assert found["../../escaped.py"][1] == "its path leaves its folder (empty, '.' or '..' part)"
    assert not any(p.name == "escaped.py" for p in tmp_path.parent.rglob("escaped.py"))


@pytest.mark.parametrize("name", ["/etc/cron.d/evil.py", "\\windows\\evil.py", "C:\\evil.py", "C:/evil.py"])
def test_an_absolute_entry_is_refused(tmp_path, name):
    found = entries(write_zip(tmp_path / "d.zip", {name: "x"}))
    [(data, problem)] = found.values()
    assert data is None and problem == "its path is absolute"


def test_a_symbolic_link_entry_is_refused_not_followed(tmp_path):
    found = entries(write_zip(tmp_path / "d.zip", {}, links={"regularization.py": "/etc/passwd"}))
    assert found == {"regularization.py": (None, "it is a symbolic link")}


def test_a_symbolic_link_in_a_folder_download_is_refused_not_followed(tmp_path):
    (tmp_path / "d" / "alice").mkdir(parents=True)
    (tmp_path / "secret.py").write_text("reference")
    os.symlink(tmp_path / "secret.py", tmp_path / "d" / "alice" / "shapes.py")
    os.symlink(tmp_path, tmp_path / "d" / "bob")
    found = entries(tmp_path / "d")
    assert found == {"alice/shapes.py": (None, "it is a symbolic link"),
                     "bob": (None, "it is a symbolic link")}


def test_a_nested_zip_is_unpacked_where_it_lies(tmp_path):
    inner = zip_bytes({"hw3/regularization.py": "a = 1\n"})
    found = entries(write_zip(tmp_path / "d.zip", {"alice/work.zip": inner}))
    assert found == {"alice/work.zip/hw3/regularization.py": (b"a = 1\n", None)}


def _zip_with_raw_name(path, raw: bytes, placeholder: bytes):
    """A zip whose member name is ``raw`` with no UTF-8 flag, as Windows' zip writes names."""
    data = zip_bytes({placeholder.decode("ascii"): "a = 1\n"})
    path.write_bytes(data.replace(placeholder, raw))
    return path


def test_a_utf8_name_stored_without_the_utf8_flag_reads_as_utf8(tmp_path):
    download = _zip_with_raw_name(tmp_path / "d.zip", "J\u00f6rg/shapes.py".encode(), b"Jxxrg/shapes.py")
    assert list(entries(download)) == ["J\u00f6rg/shapes.py"]


def test_a_cp437_name_that_is_no_utf8_stays_cp437(tmp_path):
    download = _zip_with_raw_name(tmp_path / "d.zip", b"J\x94rg/shapes.py", b"Jxrg/shapes.py")
    assert list(entries(download)) == ["J\u00f6rg/shapes.py"]  # 0x94 is cp437's o-umlaut


def test_nesting_deeper_than_the_bound_is_kept_as_a_file_not_unpacked(tmp_path):
    level = zip_bytes({"x.py": "1"})
    for _ in range(3):
        level = zip_bytes({"in.zip": level})
    found = entries(write_zip(tmp_path / "d.zip", {"a.zip": level}), Bounds(depth=2))
    assert list(found) == ["a.zip/in.zip/in.zip"]


def test_a_zip_bomb_member_is_refused_after_reading_one_byte_past_the_file_bound(tmp_path):
    bomb = zip_bytes({"regularization.py": b"\0" * 5_000_000})
    assert len(bomb) < 20_000
    found = entries(write_zip(tmp_path / "d.zip", {"alice/bomb.zip": bomb, "bob/shapes.py": "x"}),
                    Bounds(file_bytes=1_000_000))
    assert found["alice/bomb.zip/regularization.py"] == (None, "it is larger than 1 MB")
    assert found["bob/shapes.py"] == (b"x", None)


def test_a_nested_archive_over_its_own_bounds_is_refused_whole_and_its_siblings_are_kept(tmp_path):
    many = zip_bytes({f"f{i}.py": "x" * 1000 for i in range(50)})
    found = entries(write_zip(tmp_path / "d.zip", {"alice/many.zip": many, "bob/shapes.py": "x"}),
                    Bounds(nested_files=20))
    assert found["alice/many.zip"][0] is None
    assert "this archive was not unpacked: alice/many.zip has more than the allowed number of files" \
        == found["alice/many.zip"][1]
    assert found["bob/shapes.py"] == (b"x", None)
    assert len(found) == 2


def test_a_download_over_its_total_bounds_is_an_error_not_a_partial_collection(tmp_path):
    download = write_zip(tmp_path / "d.zip", {f"s{i}/shapes.py": "x" * 100 for i in range(10)})
    with pytest.raises(UnpackError, match="unpacks to more bytes than allowed"):
        entries(download, Bounds(total_bytes=500))
    with pytest.raises(UnpackError, match="more than the allowed number of files"):
        entries(download, Bounds(total_files=5))


def test_a_file_that_is_not_a_zip_is_an_error(tmp_path):
    (tmp_path / "d.zip").write_text("not a zip")
    with pytest.raises(UnpackError, match="neither a folder nor a zip"):
        entries(tmp_path / "d.zip")


def test_the_staging_folder_is_removed_after_use(tmp_path):
    with Download(write_zip(tmp_path / "d.zip", {"a.py": "1"})) as download:
        staged = download.entries[0].staged
        assert staged.is_file()
    assert not staged.parent.exists()


def test_an_encrypted_entry_is_refused(tmp_path):
    path = write_zip(tmp_path / "d.zip", {"a.py": "1"})
    raw = bytearray(path.read_bytes())
    # Set the "encrypted" flag bit in the local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.index(signature) + offset
        raw[at] |= 1
    path.write_bytes(bytes(raw))
    assert entries(path) == {"a.py": (None, "it is encrypted")}
    assert zipfile.ZipFile(path).infolist()[0].flag_bits & 1
