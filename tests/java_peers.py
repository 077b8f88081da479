"""The Java peers of the test suite (tests/java, a Maven project), as the tests run them.

`make java` (a prerequisite of `make test`) builds the jar and writes its class path; Maven takes
WSS4J, Santuario and CXF from Maven Central into the local repository (`~/.m2` unless the
Makefile's `MVN_FLAGS` names another). A test needing a peer fails, never skips, when the build is
missing or older than its sources.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent / "java"
JAR = PROJECT / "target" / "java-peers-1.jar"
CLASSPATH = PROJECT / "target" / "classpath.txt"
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto")


def _sources() -> list[Path]:
    return [PROJECT / "pom.xml", *sorted((PROJECT / "src").rglob("*.java"))]


def classpath() -> str:
    """The peers' class path; fails the test when the build is missing or stale."""
    if shutil.which("java") is None:
        pytest.fail("java not found: the Java peers need a JDK 17 (and Maven to build them)")
    if not JAR.is_file() or not CLASSPATH.is_file():
        pytest.fail("the Java peers are not built: run `make java` (part of `make test`)")
    built = min(JAR.stat().st_mtime, CLASSPATH.stat().st_mtime)
    stale = [path.name for path in _sources() if path.stat().st_mtime > built]
    if stale:
        pytest.fail(f"the Java peers are older than {', '.join(stale)}: run `make java`")
    return os.pathsep.join([str(JAR), CLASSPATH.read_text(encoding="utf-8").strip()])


def command(main_class: str, *args: str) -> list[str]:
    """`java ... -cp <peers> altinn2codegen.<main_class> args...`."""
    java = shutil.which("java") or "java"
    return [java, *JVM_OPTIONS, "-cp", classpath(), f"altinn2codegen.{main_class}", *args]


def run(main_class: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(main_class, *args), capture_output=True, text=True, timeout=timeout, check=False
    )


def start(main_class: str, args: Sequence[str], *, stdin: bool = False) -> subprocess.Popen[str]:
    """A peer running in the background, its output on `stdout` (stderr merged); with `stdin`, a
    pipe that a server peer watches (it stops when the pipe closes)."""
    return subprocess.Popen(
        command(main_class, *args),
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
