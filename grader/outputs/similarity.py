"""Advisory similarity between submissions of the same topic, for the instructor only.

Each submission is tokenized and normalized (comments, docstrings and layout
dropped; every identifier except attribute names becomes ``V``, every string
``S``), so renaming variables or rewording comments changes nothing. Its k-grams
of tokens are hashed and winnowed (the minimum hash of every window of ``WINDOW``
consecutive k-grams is kept): any shared run of at least K + WINDOW - 1 tokens is
guaranteed to share a fingerprint, and a submission keeps about one fingerprint
per few tokens. Fingerprints of the starter code are removed, and so are those
found in more than ``common_limit(n)`` submissions: code that much of the class
writes alike is no evidence of copying, and dropping it bounds the work.

Pairs are found through an inverted index (fingerprint -> submissions), so only
pairs that share a fingerprint are ever scored; each fingerprint contributes at
most common_limit(n)^2 / 2 pairs. The score is the Jaccard index of the two
fingerprint sets. Nothing here is ever shown to students.
"""
from __future__ import annotations

import io
import keyword
import tokenize
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Iterable

from grader.course.sources import read_submission
from grader.course.topics import Topic
from grader.outputs.report import environment
from grader.outputs.student_ids import display_id, report_link

K = 8          # tokens per k-gram
WINDOW = 4     # k-grams per winnowing window
THRESHOLD = 0.5
MIN_FINGERPRINTS = 8   # fewer (after removing starter and common code) is too little to compare
MAX_PAIRS_PER_TOPIC = 100
LAYOUT = {tokenize.NEWLINE: "<newline>", tokenize.INDENT: "<indent>", tokenize.DEDENT: "<dedent>"}
DROPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


@dataclass(frozen=True)
class Pair:
    first: str
    second: str
    score: float
    shared: int


def normalized_tokens(source: str) -> list[str]:
    """The token stream with names, strings, comments and docstrings normalized away."""
    tokens: list[str] = []
    previous_type, previous_text, skip_newline = tokenize.NEWLINE, "", False
    stream = []
    try:  # a file that does not tokenize to the end is compared on what comes before the error
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            stream.append(token)
    except (tokenize.TokenError, SyntaxError):
        pass
    for index, token in enumerate(stream):
        kind, text = token.type, token.string
        if kind in DROPPED:
            continue
        following = stream[index + 1].type if index + 1 < len(stream) else tokenize.ENDMARKER
        if kind == tokenize.STRING and previous_type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) \
                and following in (tokenize.NEWLINE, tokenize.ENDMARKER):
            skip_newline = True
            continue  # a docstring or a bare string statement, and its end of line below
        if kind == tokenize.NEWLINE and skip_newline:
            skip_newline = False
            continue
        if kind in LAYOUT:
            text = LAYOUT[kind]
        elif kind == tokenize.NAME and not keyword.iskeyword(text) and previous_text != ".":
            text = "V"
        elif kind == tokenize.STRING:
            text = "S"
        tokens.append(text)
        previous_type, previous_text = kind, token.string
    return tokens


def fingerprints(tokens: list[str]) -> set[int]:
    """Winnowed hashes of the k-grams of ``tokens``."""
    hashes = [zlib.crc32("\x1f".join(tokens[i:i + K]).encode()) for i in range(len(tokens) - K + 1)]
    if len(hashes) <= WINDOW:
        return set(hashes)
    return {min(hashes[i:i + WINDOW]) for i in range(len(hashes) - WINDOW + 1)}


def source_fingerprints(source: str) -> set[int]:
    return fingerprints(normalized_tokens(source))


def common_limit(submissions: int) -> int:
    """A fingerprint in more submissions than this is common code, not evidence."""
    return max(3, min(50, submissions // 10))


def similar_pairs(prints: dict[str, set[int]], starter: set[int], *, threshold: float = THRESHOLD,
                  limit: int = MAX_PAIRS_PER_TOPIC) -> list[Pair]:
    """Pairs of students whose fingerprints (minus the starter's and common ones) overlap at least
    ``threshold`` (Jaccard), most similar first, at most ``limit``."""
    frequency = Counter(f for found in prints.values() for f in found - starter)
    cap = common_limit(len(prints))
    kept = {student: {f for f in found - starter if frequency[f] <= cap} for student, found in prints.items()}
    kept = {student: found for student, found in kept.items() if len(found) >= MIN_FINGERPRINTS}
    holders: dict[int, list[str]] = defaultdict(list)
    for student in sorted(kept):
        for f in kept[student]:
            holders[f].append(student)
    shared: Counter = Counter()
    for students in holders.values():
        if len(students) > 1:
            shared.update(combinations(students, 2))
    pairs = []
    for (first, second), count in shared.items():
        score = count / (len(kept[first]) + len(kept[second]) - count)
        if score >= threshold:
            pairs.append(Pair(first, second, score, count))
    pairs.sort(key=lambda p: (-p.score, p.first, p.second))
    return pairs[:limit]


def topic_fingerprints(submissions: Path, students: Iterable[str], topic: str) -> dict[str, set[int]]:
    """Each student's fingerprints for one topic; students without a readable file are left out."""
    prints = {}
    for student in students:
        source = read_submission(submissions / student, topic).source
        if source is not None:
            prints[student] = source_fingerprints(source)
    return prints


def class_similarity(submissions: Path, students: list[str], topics: list[Topic], *,
                     threshold: float = THRESHOLD) -> dict[str, list[Pair]]:
    """Similar pairs per topic, one topic's fingerprints in memory at a time."""
    result = {}
    for topic in topics:
        starter = source_fingerprints(topic.stub.read_text(encoding="utf-8")) if topic.stub.is_file() else set()
        result[topic.name] = similar_pairs(topic_fingerprints(submissions, students, topic.name), starter,
                                           threshold=threshold)
    return result


def render_similarity(similarity: dict[str, list[Pair]], titles: dict[str, str], students: int, *,
                      templates: Path, threshold: float = THRESHOLD) -> str:
    return environment(templates).get_template("similarity.html.j2").render(
        similarity=similarity, titles=titles, threshold=threshold, k=K, max_pairs=MAX_PAIRS_PER_TOPIC,
        common_limit=common_limit(students), index_file="index.html", report_file="report.html",
        shown=display_id, report_link=report_link)
