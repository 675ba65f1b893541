"""``grader new-topic NAME``: the four files of a topic, from templates/topic/, ready to edit.

The files hold a small worked example (``center``) that ``grader validate NAME`` accepts as it
is, so an author starts from a topic that grades and changes it one function at a time.
"""
from __future__ import annotations

import keyword
from pathlib import Path

import jinja2

from grader.course.topics import discover_topics

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "topic"
# template -> where it goes, relative to the course
FILES = {
    "stub.py.j2": "exercises/{name}/{name}.py",
    "test_public.py.j2": "exercises/{name}/test_{name}.py",
    "reference.py.j2": "solutions/{name}/{name}.py",
    "test_hidden.py.j2": "solutions/{name}/test_{name}_hidden.py",
}


class ScaffoldError(Exception):
    pass


def check_name(name: str, course: Path) -> None:
    """A topic name is a lowercase Python identifier (it is a module name) not yet in use."""
    if not (name.isidentifier() and name.isascii() and name == name.lower()) or keyword.iskeyword(name):
        raise ScaffoldError(f"{name!r} is not a valid topic name: use lowercase letters, digits and _, "
                            "starting with a letter (it becomes the module students write)")
    if name in discover_topics(course) or (course / "exercises" / name).exists() \
            or (course / "solutions" / name).exists():
        raise ScaffoldError(f"topic {name} already exists in {course}")


def new_topic(course: Path, name: str, title: str | None = None) -> list[Path]:
    """Write the topic's stub, public tests, reference and hidden tests; return their paths."""
    check_name(name, course)
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False,
                                     keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    values = {"name": name, "title": title or name.replace("_", " ").capitalize()}
    written = []
    for template, target in FILES.items():
        path = course / target.format(name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(environment.get_template(template).render(values), encoding="utf-8")
        written.append(path)
    return written
