"""``grader audit`` for every topic: mutants, likely equivalent, killed, survived, kill rate.

Prints each topic's report (every survivor with its diff and an input on which it is wrong,
and the likely-equivalent mutants by name), then the Markdown table the README shows, and
the time each topic took. Too slow for CI (a minute or two per topic).
Usage: python benchmarks/audit.py [--max-mutants N] [--seed S] [--json FILE] [TOPIC ...]
"""
import argparse
import json
import sys
import time
from pathlib import Path

from grader.authoring.audit import DEFAULT_MAX_MUTANTS, DEFAULT_SEED, audit_topic, format_report, format_table
from grader.course.topics import discover_topics

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("topics", nargs="*")
    parser.add_argument("--max-mutants", type=int, default=DEFAULT_MAX_MUTANTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--json", help="also write every report as JSON here")
    args = parser.parse_args()
    topics = discover_topics(ROOT)
    reports, seconds = [], {}
    for name in args.topics or list(topics):
        started = time.monotonic()
        report = audit_topic(topics[name], max_mutants=args.max_mutants, seed=args.seed,
                             progress=lambda line: print(line, file=sys.stderr, flush=True))
        seconds[name] = time.monotonic() - started
        reports.append(report)
        print(format_report(report))
        print("likely equivalent:", *(f"  {m.key}" for m in report.equivalent), sep="\n")
        print(f"({seconds[name]:.0f} s)\n", flush=True)
    print(format_table(reports))
    print("seconds per topic:", ", ".join(f"{n} {s:.0f}" for n, s in seconds.items()))
    if args.json:
        Path(args.json).write_text(json.dumps([r.to_dict() for r in reports], indent=1) + "\n")


if __name__ == "__main__":
    main()
