"""Fuzzing the read path: mutated envelopes through the client's response path and `decode`.

Seeds are every recorded response and fault of a generated operation (`../shared/altinn2-traffic`)
and a minimal and a full generated response of every operation. Each case mutates one seed (a value
replaced by a hostile one, an element dropped, repeated, renamed, nilled or typed, markup put
where a value belongs, bytes cut or flipped) and feeds it to `BaseClient.finish` (as a 200 answer
of the seed's operation) and to `decode`. The only allowed outcomes: a result whose every field
holds its declared type (the whole object graph checked against the annotations), or one of the
documented exceptions. Deterministic for a seed:

    python -m tests.fuzz --cases 50000 --seed 1      (what `make fuzz` runs)
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from altinn2.client import Client
from altinn2.runtime.client import PreparedCall
from altinn2.runtime.codec import to_element
from altinn2.runtime.decode import DecodeError, decode
from altinn2.runtime.envelope import build_envelope, parse_xml, read_envelope
from altinn2.runtime.errors import ProtocolError, SoapFaultError
from altinn2.runtime.operation import OperationInfo
from altinn2.runtime.registry import operation_index
from altinn2.runtime.typecheck import first_mismatch
from altinn2.testing.examples import example_output

XSI = "http://www.w3.org/2001/XMLSchema-instance"
MAX_SEED_BYTES = 200_000  # the 3.4 MB recording would make every case slow, not more thorough
ALLOWED = (ProtocolError, SoapFaultError, DecodeError)

HOSTILE_VALUES = [
    "",
    " ",
    "abc",
    "-1",
    "99999999999999999999999999",
    "1e999",
    "NaN",
    "INF",
    "0x1F",
    "1_000",
    "true",
    "yes",
    "2020-02-30",
    "2020-13-01T00:00:00",
    "2020-03-15",
    "24:00:00",
    "P1Y2M",
    "not-a-guid",
    "00000000-0000-0000-0000-00000000000g",
    "====",
    "01017012345",
    "\u00e6\u00f8\u00e5",
    "\U0001f600",
    "x" * 5000,
    "OK ",
    "Rejected",
]


@dataclass(frozen=True)
class Seed:
    name: str
    operation: OperationInfo
    data: bytes


@dataclass
class Outcome:
    cases: int = 0
    typed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def note(self, error: BaseException) -> None:
        name = type(error).__name__
        self.refused[name] = self.refused.get(name, 0) + 1


def traffic_dir() -> Path:
    from tests.conftest import shared_dir

    return shared_dir() / "altinn2-traffic"


def seeds() -> list[Seed]:
    """Recorded responses of generated operations, and generated responses of every one."""
    index = operation_index()
    found: list[Seed] = []
    for path in sorted(traffic_dir().glob("*/*.xml")):
        data = path.read_bytes()
        if len(data) > MAX_SEED_BYTES:
            continue
        envelope = read_envelope(parse_xml(data))
        if envelope.body is None:
            continue
        name = f"{path.parent.name}/{path.name}"
        if envelope.fault:  # a fault of the operation the file names (any one for Common/)
            named = index.named(path.stem.rsplit("-", 2)[0]) or index.operations
            found.append(Seed(name, next(op for op in named if op.output is not None), data))
            continue
        for operation in index.responses.get(str(envelope.body.tag), ())[:1]:
            found.append(Seed(name, operation, data))
    for operation in index.operations:
        if operation.output is None:
            continue
        for full in (False, True):
            body = to_element(example_output(operation, full=full))
            data = build_envelope(operation.soap_version, [], [body])
            found.append(Seed(f"{operation.name}-{'full' if full else 'minimal'}", operation, data))
    return found


# -- mutations ---------------------------------------------------------------------------------


def _elements(root: etree._Element) -> list[etree._Element]:
    return [element for element in root.iter() if isinstance(element.tag, str)]


def _body_elements(root: etree._Element) -> list[etree._Element]:
    elements = _elements(root)
    return elements[3:] if len(elements) > 3 else elements  # not Envelope, Body, the wrapper


def mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(10)
    if kind == 0:  # cut
        return data[: rng.randrange(len(data))]
    if kind == 1:  # flip a byte
        index = rng.randrange(len(data))
        return data[:index] + bytes([rng.randrange(256)]) + data[index + 1 :]
    root = etree.fromstring(data)
    elements = _body_elements(root)
    if not elements:
        return data
    target = rng.choice(elements)
    leaves = [element for element in elements if len(element) == 0]
    if kind in (2, 3, 4) and leaves:  # a hostile value (the most common case)
        rng.choice(leaves).text = rng.choice(HOSTILE_VALUES)
    elif kind == 5 and target.getparent() is not None:  # drop an element
        parent = target.getparent()
        assert parent is not None
        parent.remove(target)
    elif kind == 6 and target.getparent() is not None:  # repeat an element
        target.addnext(copy.deepcopy(target))
    elif kind == 7:  # an element a newer contract adds, or a renamed one
        qname = etree.QName(target)
        if rng.random() < 0.5:
            etree.SubElement(target, f"{{{qname.namespace}}}Newer").text = "1"
        else:
            target.tag = f"{{{qname.namespace}}}{qname.localname}X"
    elif kind == 8:  # nil, or a type nobody declared
        if rng.random() < 0.5:
            target.set(f"{{{XSI}}}nil", rng.choice(["true", "1", "maybe"]))
        else:
            target.set(f"{{{XSI}}}type", rng.choice(["Nope", "x:string", "int"]))
    else:  # markup where a value belongs
        leaf = rng.choice(leaves) if leaves else target
        etree.SubElement(leaf, "b").text = "5"
    return etree.tostring(root)


# -- the checks --------------------------------------------------------------------------------

CLIENT = Client(base_url="https://www.altinn.no")


def through_client(seed: Seed, data: bytes, outcome: Outcome, label: str) -> None:
    operation = seed.operation
    assert operation.output is not None
    call = PreparedCall(operation, CLIENT.url_for(operation), {}, b"")
    try:
        result = CLIENT.finish(call, 200, "text/xml; charset=utf-8", data, operation.output)
    except ALLOWED as error:
        outcome.note(error)
        detail = getattr(error, "detail", None)  # a fault's typed detail must not lie either
        if detail is not None and (mismatch := first_mismatch(detail)) is not None:
            outcome.failures.append(f"{label} client: fault detail {mismatch}"[:300])
        return
    except Exception as error:  # anything else is a finding
        outcome.failures.append(f"{label} client: {type(error).__name__}: {error}"[:300])
        return
    mismatch = first_mismatch(result)
    if mismatch is not None or not isinstance(result, operation.output):
        outcome.failures.append(f"{label} client: {mismatch}"[:300])
    else:
        outcome.typed += 1


def through_decode(data: bytes, outcome: Outcome, label: str) -> None:
    try:
        decoded = decode(data)
    except ALLOWED as error:
        outcome.note(error)
        return
    except Exception as error:
        outcome.failures.append(f"{label} decode: {type(error).__name__}: {error}"[:300])
        return
    for value in (decoded.value, *decoded.headers):
        if value is not None and (mismatch := first_mismatch(value)) is not None:
            outcome.failures.append(f"{label} decode: {mismatch}"[:300])
            return
    outcome.typed += 1


def cases(count: int, seed: int) -> Iterator[tuple[str, Seed, bytes]]:
    rng = random.Random(seed)
    pool = seeds()
    for number in range(count):
        chosen = pool[number % len(pool)] if number < len(pool) else rng.choice(pool)
        data = chosen.data if number < len(pool) else mutate(chosen.data, rng)
        yield f"case {number} ({chosen.name})", chosen, data


def run(count: int, seed: int = 1) -> Outcome:
    outcome = Outcome()
    for label, chosen, data in cases(count, seed):
        outcome.cases += 1
        through_client(chosen, data, outcome, label)
        through_decode(data, outcome, label)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    started = time.monotonic()
    outcome = run(options.cases, options.seed)
    elapsed = time.monotonic() - started
    refused = ", ".join(f"{name} {count}" for name, count in sorted(outcome.refused.items()))
    print(
        f"fuzz: {outcome.cases} cases (seed {options.seed}), each through the client's response "
        f"path and decode: {outcome.typed} typed results (every field of its declared type), "
        f"refused with documented errors: {refused}; {len(outcome.failures)} failures; "
        f"{elapsed:.0f} s"
    )
    for failure in outcome.failures[:20]:
        print(f"  {failure}")
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Outcome", "main", "run", "seeds"]
