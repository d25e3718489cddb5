"""`make schema-check` against real git repositories made in a temp dir:
which base it picks, and what it lets through."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from scripts.schema_check import Base, check, find_base, main

V1 = '''type Query {
  """A greeting."""
  hello: String!

  """A number."""
  count: Int!

  """Another number (so that Int stays in use without `count`)."""
  total: Int!
}
'''
ADDED = V1.replace("  count: Int!\n", '  count: Int!\n\n  """New."""\n  extra: Int\n')
REMOVED = V1.replace('\n  """A number."""\n  count: Int!\n', "")
REMOVAL = "Field Query.count was removed."


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - git on a repository the test made
        [  # noqa: S607 - git from PATH, as `make schema-check` runs it
            "git",
            "-C",
            str(repo),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit(repo: Path, message: str, schema: str | None = None) -> str:
    if schema is not None:
        (repo / "schema.graphql").write_text(schema)
        git(repo, "add", "schema.graphql")
    git(repo, "commit", "--allow-empty", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """A main line whose first commit publishes V1 and whose second does not
    touch the schema."""
    repo = tmp_path / "upstream"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Publish the schema", V1)
    commit(repo, "Something else")
    return repo


def clone(upstream: Path, tmp_path: Path) -> Path:
    """What CI has: a fresh clone of main."""
    target = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(target))
    return target


def run(repo: Path, schema: str, tmp_path: Path, capsys) -> tuple[int, str]:
    sdl = tmp_path / "current.graphql"
    sdl.write_text(schema)
    code = main(["--repo", str(repo), "--schema", str(sdl)])
    return code, capsys.readouterr().out


def test_a_removed_field_fails_and_says_how_to_declare_it(upstream, tmp_path, capsys):
    repo = clone(upstream, tmp_path)
    code, out = run(repo, REMOVED, tmp_path, capsys)
    assert code == 1
    assert f"FIELD_REMOVED: {REMOVAL}" in out
    assert f"BREAKING-CHANGE: {REMOVAL}" in out


def test_an_added_field_passes(upstream, tmp_path, capsys):
    repo = clone(upstream, tmp_path)
    code, out = run(repo, ADDED, tmp_path, capsys)
    assert code == 0, out
    assert "no undeclared breaking change" in out


def test_a_break_declared_in_a_commit_message_passes(upstream, tmp_path, capsys):
    commit(
        upstream,
        f"Drop count\n\nNobody reads it.\n\nBREAKING-CHANGE: {REMOVAL}",
        REMOVED,
    )
    repo = clone(upstream, tmp_path)
    code, out = run(repo, REMOVED, tmp_path, capsys)
    assert code == 0, out
    assert f"declared intended: {REMOVAL}" in out


def test_a_declaration_covers_only_the_change_it_names(upstream, tmp_path, capsys):
    commit(upstream, "Drop hello\n\nBREAKING-CHANGE: Field Query.hello was removed.")
    repo = clone(upstream, tmp_path)
    code, out = run(repo, REMOVED, tmp_path, capsys)
    assert code == 1
    assert REMOVAL in out


def test_a_fresh_clone_of_main_compares_with_the_previous_commit(upstream, tmp_path):
    previous = git(upstream, "rev-parse", "HEAD~1")
    base = find_base(clone(upstream, tmp_path))
    assert base == Base(previous, "the previous commit")


def test_a_branch_compares_with_its_merge_base(upstream, tmp_path, capsys):
    """Every commit of the branch counts: a break made two commits ago is
    still caught, and a declaration in any of them is read."""
    fork = git(upstream, "rev-parse", "HEAD")
    git(upstream, "switch", "-q", "-c", "feature")
    commit(upstream, "Drop count", REMOVED)
    commit(upstream, "Unrelated")
    git(upstream, "switch", "-q", "main")
    commit(upstream, "Main moves on")
    git(upstream, "switch", "-q", "feature")

    assert find_base(upstream) == Base(fork, "the merge base with main")
    code, out = run(upstream, REMOVED, tmp_path, capsys)
    assert code == 1, out

    commit(upstream, f"Say so\n\nBREAKING-CHANGE: {REMOVAL}")
    code, out = run(upstream, REMOVED, tmp_path, capsys)
    assert code == 0, out


def test_no_published_schema_at_the_base_passes(tmp_path, capsys):
    repo = tmp_path / "new"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "Start")
    commit(repo, "Publish the schema", V1)
    code, out = run(repo, REMOVED, tmp_path, capsys)
    assert code == 0
    assert "nothing to compare" in out


def test_a_shallow_clone_has_no_base_and_says_so(upstream, tmp_path, capsys):
    repo = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{upstream}", str(repo))
    assert find_base(repo) is None
    code, out = run(repo, REMOVED, tmp_path, capsys)
    assert code == 0
    assert "no base commit" in out


def test_an_explicit_base_such_as_a_release_tag(upstream, tmp_path, capsys):
    git(upstream, "tag", "v1.0", "HEAD~1")
    commit(upstream, f"Drop count\n\nBREAKING-CHANGE: {REMOVAL}", REMOVED)
    commit(upstream, "Put count back", V1)
    # Against the previous commit, putting a field back is no break ...
    assert check(upstream, V1, find_base(upstream)).ok
    # ... and against the release, the declared removal is long gone.
    sdl = tmp_path / "current.graphql"
    sdl.write_text(REMOVED)
    assert main(["--repo", str(upstream), "--schema", str(sdl), "--base", "v1.0"]) == 0
    assert main(["--repo", str(upstream), "--schema", str(sdl), "--base", "nope"]) == 2
    capsys.readouterr()
