"""An LMS's files: ``grader collect`` (a download into SUBMISSIONS) and ``grader export canvas``
(grades for Canvas's gradebook import)."""
from __future__ import annotations

from pathlib import Path

from grader.collect.layout import canvas_user_ids, identity_names, submission_times
from grader.collect.platforms import CollectError, collect
from grader.commands.arguments import EXIT_OK, UsageError, course_root, topic_pairs
from grader.course.policy import COURSE_FILE, PolicyError, read_policy
from grader.course.topics import discover_topics
from grader.outputs.canvas import (CanvasExportError, ExportOptions, canvas_export, details_path,
                                   read_canvas_roster, read_out, write_canvas_export)


def command_collect(args) -> int:
    topics = list(discover_topics(course_root(args)))
    try:
        summary = collect(args.platform, Path(args.download), Path(args.out), topics,
                          roster=Path(args.roster) if args.roster else None, pattern=args.pattern,
                          assignment=args.topics)
    except CollectError as error:
        raise UsageError(str(error)) from None
    print(summary.text(Path(args.out)))
    return EXIT_OK


def command_export_canvas(args) -> int:
    course = course_root(args)
    policy_file = Path(args.policy) if args.policy else course / COURSE_FILE
    submissions = Path(args.submissions) if args.submissions else None
    try:
        policy = read_policy(policy_file)
        grades, unreadable = read_out(Path(args.results))
        roster = read_canvas_roster(Path(args.roster)) if args.roster else None
    except (PolicyError, CanvasExportError) as error:
        raise UsageError(str(error)) from None
    graded = {t for g in grades for t in g.topics}
    titles, points = topic_pairs(args.map, "--map"), topic_pairs(args.points, "--points", float)
    known = discover_topics(course)
    unknown = sorted((set(titles) | set(points)) - set(known))
    if unknown:
        raise UsageError(f"unknown topic {', '.join(unknown)}; the topics are: {', '.join(known)}")
    options = ExportOptions(
        [t for t in known if t in graded], titles, points, args.missing,
        policy, submission_times(submissions) if submissions else None,
        {s: p.name for s, p in identity_names(submissions).items() if p.name} if submissions else {},
        canvas_user_ids(submissions) if submissions else frozenset())
    export = canvas_export(grades, options, roster)
    write_canvas_export(Path(args.out), export)
    print(f"{len(grades)} students: {args.out} (import in Canvas), {details_path(Path(args.out))} "
          "(raw score, late penalty, final score)")
    for label, names in (("not in the roster (left out)", export.not_in_roster),
                         ("joined to no one roster row (left out, ambiguous)", export.ambiguous),
                         ("in the roster without results", export.without_grades),
                         ("excused (EX) in the roster, given a score now", export.excused_graded),
                         ("with an unreadable results.json", unreadable)):
        if names:
            print(f"{len(names)} {label}: {', '.join(names)}")
    if roster is None:
        others = sum(1 for g in grades if g.student not in options.canvas_ids)
        if others:
            print(f"without --roster: {others} students' ids (not Canvas user ids from a Canvas "
                  "download collected into --submissions) are in SIS Login ID, which Canvas matches "
                  "only if they are login ids; give --roster (Canvas's gradebook export) to join "
                  "them as Canvas does")
    return EXIT_OK
