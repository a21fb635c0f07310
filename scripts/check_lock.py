"""Check that requirements/*.lock match pyproject.toml (`make lock` refreshes them).

    python scripts/check_lock.py            # exit 1, naming each mismatch, when they do not
    python scripts/check_lock.py --digest   # the digest of the locked inputs (used by lock.sh)

The locks record a digest of what they were made from (dependencies, extras, build backend,
Python version), so any edit of those in pyproject.toml is caught even when the old pins still
happen to satisfy it; and every requirement must be pinned, with hashes, at a version its
specifier allows.
"""

import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a bare interpreter: pip carries its own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"runtime": ROOT / "requirements" / "runtime.lock", "test": ROOT / "requirements" / "test.lock"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")
DIGEST = re.compile(r"^# inputs-sha256: ([0-9a-f]{64})$", re.M)


def inputs(pyproject: Path = ROOT / "pyproject.toml") -> dict:
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    return {"dependencies": project.get("dependencies", []),
            "optional": project.get("optional-dependencies", {}),
            "build": data["build-system"]["requires"],
            "python": project.get("requires-python")}


def digest(spec: dict) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def parse_lock(text: str) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def problems(pyproject: Path = ROOT / "pyproject.toml", locks: dict[str, Path] = LOCKS) -> list[str]:
    spec = inputs(pyproject)
    wanted = digest(spec)
    needs = {"runtime": spec["dependencies"] + spec["build"],
             "test": spec["dependencies"] + spec["build"] + spec["optional"].get("test", [])}
    found: list[str] = []
    pinned: dict[str, dict[str, tuple[str, int]]] = {}
    for kind, path in locks.items():
        if not path.is_file():
            found.append(f"{path.name}: missing")
            continue
        text = path.read_text(encoding="utf-8")
        recorded = DIGEST.search(text)
        if not recorded or recorded.group(1) != wanted:
            found.append(f"{path.name}: made from a different pyproject.toml (dependencies, extras, "
                         "build-system or requires-python changed)")
        pins = pinned[kind] = parse_lock(text)
        for name, (version, hashes) in sorted(pins.items()):
            if not hashes:
                found.append(f"{path.name}: {name}=={version} has no hash")
        for line in needs[kind]:
            req = Requirement(line)
            name = canonicalize_name(req.name)
            if name not in pins:
                found.append(f"{path.name}: {req.name} ({line}) is not pinned")
            elif not req.specifier.contains(pins[name][0], prereleases=True):
                found.append(f"{path.name}: {req.name}=={pins[name][0]} does not satisfy {line!r}")
    if "runtime" in pinned and "test" in pinned:
        for name, (version, _) in sorted(pinned["runtime"].items()):
            other = pinned["test"].get(name)
            if other is None or other[0] != version:
                found.append(f"runtime.lock pins {name}=={version}, test.lock "
                             f"{'does not have it' if other is None else other[0]}")
    return found


def main(argv: list[str]) -> int:
    if argv[1:] == ["--digest"]:
        print(digest(inputs()))
        return 0
    found = problems()
    for problem in found:
        print(f"lock: {problem}", file=sys.stderr)
    if found:
        print("lock: the lock files do not match pyproject.toml; refresh them with `make lock`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
