"""`altinn-codegen` (also `python -m generator`): fetch -> lint -> generate -> check."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from generator.errors import LockMismatchError, UserError
from generator.output import Output, differences, names_lock_differs, write_names_lock, write_output
from generator.project import Project
from generator.runlock import workspace_lock

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a `UserError` into its one-line message and exit status, not a traceback."""

    @wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except LockMismatchError as exc:
            click.echo(
                f"error: {exc.args[0].split(':')[0]}: content differs from the lock:", err=True
            )
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
            if exc.hint:
                click.echo(exc.hint, err=True)
            sys.exit(exc.exit_code)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return run


def build_output(project: Project, verify: bool = False) -> Output:
    """`generator.generate.build_output`, imported when a command builds (the generating
    modules are most of the start-up: `generate` with nothing to do does without them)."""
    from generator.generate import build_output as build

    return build(project, verify)


def _project(root: Path | None) -> Project:
    return Project(root.resolve()) if root else Project.find()


root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace root (default: the one containing the current directory).",
)


@click.group()
def main() -> None:
    """Generate a typed Python client for Altinn 2's SOAP services from the endpoint table."""


@main.command(name="fetch")
@root_option
@click.option(
    "--from",
    "mirror",
    type=click.Path(file_okay=False, path_type=Path),
    help="Take the WSDLs from a mirror folder (honouring its catalog.xml) instead of Altinn.",
)
@click.option(
    "--env", "environment", help="Altinn environment to fetch from (default: the spec's)."
)
@click.option("--base-url", help="Fetch from this base URL instead of an environment's.")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds per HTTP request.")
@click.option("--attempts", default=3, show_default=True, help="HTTP attempts per document.")
@click.option(
    "--locked", is_flag=True, help="Fail, naming each file, when content differs from the lock."
)
@reports_errors
def fetch_command(
    root: Path | None,
    mirror: Path | None,
    environment: str | None,
    base_url: str | None,
    timeout: float,
    attempts: int,
    locked: bool,
) -> None:
    """Fill spec/wsdl/ with every WSDL/XSD the spec's endpoints need and write spec/wsdl.lock."""
    from generator.fetch import HttpSource, MirrorSource, Source, fetch  # httpx: fetch only
    from generator.spec import load_spec

    project = _project(root)
    spec = load_spec(project.spec_path)
    production = spec.base_url("production")
    source: Source
    if mirror is not None:
        if environment or base_url:
            raise UserError("--from takes the WSDLs from a folder; drop --env/--base-url")
        source = MirrorSource(mirror, production)
        where = str(mirror)
    else:
        base = base_url or spec.base_url(environment or spec.default_environment)
        source = HttpSource(base, timeout=timeout, attempts=attempts)
        where = base
    try:
        # spec/wsdl/ is swapped as generated/ is: one writer at a time, never under a generation.
        with workspace_lock(project.run_lock_path):
            result = fetch(project, spec.endpoint_paths, source, locked=locked)
    finally:
        if isinstance(source, HttpSource):
            source.close()
    size = sum(entry.size for entry, _ in result.files.values())
    found = sum(1 for name in result.endpoints.values() if name)
    click.echo(
        f"fetched {len(result.files)} files ({size / 1e6:.1f} MB) from {where}: "
        f"WSDLs for {found} of {len(result.endpoints)} endpoints"
        + (" (matches the lock)" if locked else f"; wrote {project.relative(project.lock_path)}")
    )
    for endpoint, reason in result.unavailable.items():
        click.echo(f"  no WSDL: {endpoint}: {reason}")


@main.command(name="lint")
@root_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of row objects.")
@click.option("--strict", is_flag=True, help="Also fail on mismatches no erratum explains.")
@reports_errors
def lint_command(root: Path | None, as_json: bool, strict: bool) -> None:
    """Cross-check every row of the spec against the WSDLs in the cache."""
    from generator.cache import WsdlCache
    from generator.coverage import cover
    from generator.lint import render_json, render_table
    from generator.spec import load_spec

    project = _project(root)
    spec = load_spec(project.spec_path)
    items = cover(spec, WsdlCache.open(project))
    click.echo(render_json(items) if as_json else render_table(items), nl=False)
    unexplained = [item for item in items if item.needs_erratum]
    if strict and unexplained:
        for item in unexplained:
            click.echo(
                f"error: {project.relative(spec.path)}:{item.row.line}: {item.row.service} "
                f"{item.row.operation_name or item.row.effective_base_operation}: "
                f"{item.status.value} with no erratum (add wsdl_operation/note)",
                err=True,
            )
        sys.exit(1)


@main.command(name="generate")
@root_option
@reports_errors
def generate_command(root: Path | None) -> None:
    """Regenerate generated/ from the spec, the WSDL cache and templates/ (atomically)."""
    project = _project(root)
    started = time.perf_counter()
    output, written, names_written = regenerate(project)
    elapsed = time.perf_counter() - started
    for line in output.report:  # how the schemas of the WSDLs were merged
        click.echo(f"  {line}")
    for line in output.divergences:  # what a reviewer must look at
        click.echo(f"warning: {line}", err=True)
    where = project.relative(project.generated_dir)
    names = project.relative(project.names_lock_path)
    also = f", {names} rewritten" if names_written else ""
    if written:
        click.echo(f"wrote {len(output.files)} files to {where}/{also} in {elapsed:.1f} s")
    else:
        click.echo(
            f"{where}/ is up to date ({len(output.files)} files, none written{also}) "
            f"in {elapsed:.1f} s"
        )


def regenerate(project: Project) -> tuple[Output, bool, bool]:
    """`generate`: the output, whether generated/ was written and whether spec/models.lock was.
    One run at a time (the workspace lock, from the input digest to the saved record)."""
    from generator import stagecache
    from generator.lastoutput import LastOutput, input_digest

    with workspace_lock(project.run_lock_path):
        # Inputs the last run made its output from: that output again, without generating.
        digest = input_digest(project)
        last = LastOutput(project)
        output = last.load(digest)
        remember = False
        if output is None:
            output = build_output(project)
            # Remembered only when no input changed while it was made (it is then theirs),
            # the generator's code included (FINGERPRINT was taken before it was imported).
            unchanged = stagecache.fingerprint() == stagecache.FINGERPRINT
            remember = unchanged and input_digest(project) == digest
        written = write_output(output, project.generated_dir)
        names_written = write_names_lock(output, project)
        if remember:
            last.save(digest, output)
    return output, written, names_written


@main.command(name="check")
@root_option
@reports_errors
def check_command(root: Path | None) -> None:
    """Exit 0 when generated/ is exactly what `generate` makes today, else 1 naming each file."""
    project = _project(root)
    with workspace_lock(project.run_lock_path, shared=True):  # never a tree mid-swap
        output = build_output(project, verify=True)
        problems = differences(output, project.generated_dir)
    problems += [
        f"black formats {path} otherwise than the generator lays it out (a layout rule of "
        "generator/blackened.py or generator/codecs/layout.py is not black's)"
        for path in output.unstable
    ]
    if names_lock_differs(output, project):
        problems.append(f"differs: {project.relative(project.names_lock_path)} (public names)")
    where = project.relative(project.generated_dir)
    if problems:
        click.echo(f"{where}/ is not what the generator makes today ({len(problems)} files):")
        for problem in problems:
            click.echo(f"  {problem}")
        click.echo("run `altinn-codegen generate` and review the diff")
        sys.exit(1)
    click.echo(f"{where}/ is up to date ({len(output.files)} files)")


@main.command(name="api-diff")
@root_option
@click.argument("revision", required=False)
@click.option(
    "--against",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Compare with the package in this folder instead of a git revision.",
)
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when a change breaks an app.")
@reports_errors
def api_diff_command(
    root: Path | None, revision: str | None, against: Path | None, fail_on_breaking: bool
) -> None:
    """Compare the public API of generated/ with REVISION (default HEAD) or --against DIR:
    classes, fields, enum members, service methods, operations; a markdown report."""
    # Imported here, as `fetch`'s modules: the other commands do not pay for them.
    from generator.api.compare import compare
    from generator.api.report import render_report
    from generator.api.sources import folder_sources, revision_sources
    from generator.api.surface import read_surface

    project = _project(root)
    if revision and against:
        raise UserError("give a REVISION or --against DIR, not both")
    if against is not None:
        old = folder_sources(against)
        old_label = f"`{against}`"
    else:
        old = revision_sources(project.generated_dir, revision or "HEAD")
        old_label = f"`{revision or 'HEAD'}`"
    new = folder_sources(project.generated_dir)
    changes = compare(read_surface(old), read_surface(new))
    where = project.relative(project.generated_dir)
    click.echo(render_report(changes, old_label, f"`{where}/`"), nl=False)
    if fail_on_breaking and any(change.breaking for change in changes):
        sys.exit(1)
