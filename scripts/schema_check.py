"""`make schema-check`: the published schema's breaking-change check.

`schema.graphql` at the repository root is the schema clients generate their
code from; `make schema` writes it from the code with `strawberry
export-schema gigsta.schema:build_schema`. This compares the code's schema
with the `schema.graphql` of a base commit using graphql-core's
`find_breaking_changes`, and fails on a breaking change that no commit since
the base declares.

The base, in this order:

1. the merge base of HEAD with the first of `upstream/main`, `origin/main`,
   `main` that exists, when HEAD has commits of its own beyond it (a branch);
2. otherwise HEAD's parent: HEAD is on the main line itself, as in a fresh
   clone of main in CI, so the latest commit (for a merge, the whole merged
   branch) is what is checked.

`--base REV` names the base instead: the last release tag, say
(`make schema-check BASE=$(git describe --tags --abbrev=0)`). With no base
(a root commit, a shallow clone of depth 1), or no `schema.graphql` in it (the
commit that first publishes one), there is nothing to compare and the check
passes, saying so.

A break is intended when a commit message since the base has a line
`BREAKING-CHANGE: <the change as the check prints it>`, one line per change.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    find_breaking_changes,
    find_dangerous_changes,
)
from graphql import build_schema as parse_schema
from strawberry.printer import print_schema

SCHEMA_FILE = "schema.graphql"
TRAILER = "BREAKING-CHANGE:"
# Where the main line may be; the first that exists is used.
MAIN_LINES = ("upstream/main", "origin/main", "main")
ROOT = Path(__file__).resolve().parent.parent


def current_schema() -> str:
    """The code's schema as SDL, exactly as `strawberry export-schema` writes it."""
    from gigsta.schema import build_schema  # noqa: PLC0415 - only this command needs it

    return print_schema(build_schema()) + "\n"


def _git(repo: Path, *args: str) -> str | None:
    """Git's output, or None when the command fails (no such revision, ...)."""
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _commit(repo: Path, revision: str) -> str | None:
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")


@dataclass(frozen=True)
class Base:
    commit: str
    why: str


def find_base(repo: Path) -> Base | None:
    """The commit whose published schema the current one must stay
    compatible with (see the module's docstring)."""
    head = _commit(repo, "HEAD")
    if head is None:
        return None
    main_line = next((ref for ref in MAIN_LINES if _commit(repo, ref)), None)
    if main_line is not None:
        merge_base = _git(repo, "merge-base", "HEAD", main_line)
        if merge_base and merge_base != head:
            return Base(merge_base, f"the merge base with {main_line}")
    parent = _commit(repo, "HEAD~1")
    return None if parent is None else Base(parent, "the previous commit")


def declared_breaks(repo: Path, base: str) -> set[str]:
    """The changes declared intended by `BREAKING-CHANGE:` lines in the
    messages of the commits since `base`, whitespace normalised."""
    messages = _git(repo, "log", "--format=%B", f"{base}..HEAD") or ""
    return {
        _normalised(line.strip()[len(TRAILER) :])
        for line in messages.splitlines()
        if line.strip().startswith(TRAILER)
    }


def _normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Report:
    base: Base | None
    published: bool = False
    breaking: list[BreakingChange] = field(default_factory=list)
    accepted: list[BreakingChange] = field(default_factory=list)
    dangerous: list[DangerousChange] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaking


def check(repo: Path, current: str, base: Base | None) -> Report:
    """Compare `current` (SDL) with the `schema.graphql` at `base`."""
    report = Report(base)
    if base is None:
        return report
    old = _git(repo, "show", f"{base.commit}:{SCHEMA_FILE}")
    if old is None:
        return report
    report.published = True
    old_schema, new_schema = parse_schema(old), parse_schema(current)
    declared = declared_breaks(repo, base.commit)
    for change in find_breaking_changes(old_schema, new_schema):
        if _normalised(change.description) in declared:
            report.accepted.append(change)
        else:
            report.breaking.append(change)
    report.dangerous = find_dangerous_changes(old_schema, new_schema)
    return report


def render(report: Report) -> str:
    base = report.base
    if base is None:
        return (
            "schema-check: no base commit to compare with (a root commit or a "
            "shallow clone; see --base); nothing checked."
        )
    where = f"{SCHEMA_FILE} at {base.commit[:12]} ({base.why})"
    if not report.published:
        return f"schema-check: no {where}: nothing to compare, the check passes."
    lines = [f"schema-check: compared the code's schema with {where}."]
    lines += [f"  dangerous (allowed): {c.description}" for c in report.dangerous]
    lines += [
        f"  breaking, declared intended: {c.description}" for c in report.accepted
    ]
    if report.breaking:
        lines.append(
            f"schema-check: {len(report.breaking)} undeclared breaking change(s):"
        )
        lines += [f"  {c.type.name}: {c.description}" for c in report.breaking]
        lines.append(
            "If the break is intended, add these lines to the commit message "
            '(see "The published schema" in the README):'
        )
        lines += [f"  {TRAILER} {c.description}" for c in report.breaking]
    else:
        lines.append("schema-check: no undeclared breaking change.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.schema_check")
    parser.add_argument("--repo", type=Path, default=ROOT, help="the git checkout")
    parser.add_argument("--base", help="compare with this revision instead")
    parser.add_argument(
        "--schema", type=Path, help="an SDL file to check instead of the code's schema"
    )
    args = parser.parse_args(argv)
    current = args.schema.read_text() if args.schema else current_schema()
    if args.base:
        commit = _commit(args.repo, args.base)
        if commit is None:
            print(f"schema-check: no such revision: {args.base}")
            return 2
        base: Base | None = Base(commit, args.base)
    else:
        base = find_base(args.repo)
    report = check(args.repo, current, base)
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
