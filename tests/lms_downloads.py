"""Downloads as the platforms name them (ECOSYSTEM_FACTS.md), for the collect and export tests."""
from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

TOPICS = ["shapes", "regularization", "linear_classifiers", "backprop", "optimizers", "kmeans"]


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def write_zip(path: Path, members: dict[str, bytes | str], links: dict[str, str] | None = None) -> Path:
    """A zip of ``members``; ``links`` are symbolic-link entries (name -> target), as
    ``zip --symlinks`` writes them."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def canvas_name(sortable: str, user: int, attachment: int, original: str, late: str = "") -> str:
    """``<sortable name>_[late_]<user id>_<attachment id>_<original file name>``."""
    return "_".join(part for part in (sortable, late, str(user), str(attachment), original) if part)


def gradescope_metadata(submissions: dict[str, dict]) -> str:
    """submission_metadata.yml as Gradescope's export writes it (Ruby symbol keys).
    ``submissions``: folder -> {"submitters": [(name, sid, email)], "created_at": str, "score": x}."""
    lines = []
    for folder, record in submissions.items():
        lines.append(f"{folder}:")
        lines.append("  :submitters:")
        for name, sid, email in record["submitters"]:
            lines.append(f"  - :name: {json.dumps(name)}")
            lines.append(f"    :sid: {json.dumps(sid)}" if sid is not None else "    :sid: ")
            lines.append(f"    :email: {json.dumps(email)}")
        lines.append(f"  :created_at: {record['created_at']}")
        lines.append(f"  :score: {record.get('score', 0.0)}")
    return "\n".join(lines) + "\n"
