"""The per-student HTML report, rendered from templates/report.html.j2."""
from __future__ import annotations

from pathlib import Path

import jinja2

from grader.results import StudentResult, outcome_text, write_atomically

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _environment(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)),
                              autoescape=jinja2.select_autoescape(["html", "j2"]),
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_report(result: StudentResult, templates: Path = TEMPLATES) -> str:
    template = _environment(templates).get_template("report.html.j2")
    return template.render(result=result, outcome_text=outcome_text)


def write_report(path: Path, result: StudentResult, templates: Path = TEMPLATES) -> None:
    write_atomically(path, render_report(result, templates))
