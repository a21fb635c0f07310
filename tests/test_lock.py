"""The hashed lock files (requirements/*.lock) match pyproject.toml; `make lock` refreshes them."""

import importlib.util
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)


def test_locks_match_pyproject():
    assert check_lock.problems() == []


def test_every_lock_pins_the_build_backend_with_hashes():
    for path in check_lock.LOCKS.values():
        pins = check_lock.parse_lock(path.read_text())
        version, hashes = pins["setuptools"]
        assert hashes >= 1 and int(version.split(".")[0]) >= 77, path


def _copy(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    pyproject = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", pyproject)
    locks = {kind: tmp_path / path.name for kind, path in check_lock.LOCKS.items()}
    for kind, path in check_lock.LOCKS.items():
        shutil.copy(path, locks[kind])
    return pyproject, locks


def test_a_new_dependency_is_caught(tmp_path):
    pyproject, locks = _copy(tmp_path)
    text = pyproject.read_text()
    pyproject.write_text(text.replace('  "click>=8.1",\n', '  "click>=8.1",\n  "tomli-w>=1.0",\n'))
    found = check_lock.problems(pyproject, locks)
    assert any("made from a different pyproject.toml" in p for p in found)
    assert any("tomli-w (tomli-w>=1.0) is not pinned" in p for p in found)


def test_a_pin_outside_its_range_or_without_hash_is_caught(tmp_path):
    pyproject, locks = _copy(tmp_path)
    text = locks["runtime"].read_text()
    version = check_lock.parse_lock(text)["click"][0]
    broken = text.replace(f"click=={version}", "click==7.0", 1)
    # drop the hashes of alembic
    lines = broken.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("alembic=="))
    lines[start] = lines[start].rstrip(" \\")
    while lines[start + 1].strip().startswith("--hash"):
        del lines[start + 1]
    locks["runtime"].write_text("\n".join(lines) + "\n")
    found = check_lock.problems(pyproject, locks)
    assert any("click==7.0 does not satisfy 'click>=8.1'" in p for p in found)
    assert any("alembic==" in p and "has no hash" in p for p in found)
    assert any("runtime.lock pins click==7.0" in p for p in found)


def test_the_build_backend_has_nothing_to_deprecate(tmp_path):
    """setuptools reads pyproject.toml without a deprecation (the license as an SPDX expression:
    the table form stops building after 2027-02-18) and records the licence."""
    import subprocess
    import sys

    script = ("import setuptools.build_meta as b, sys; "
              "print(b.prepare_metadata_for_build_wheel(sys.argv[1]))")
    run = subprocess.run([sys.executable, "-W", "always", "-c", script, str(tmp_path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "deprecat" not in run.stderr.lower() and "2027" not in run.stderr, run.stderr[-2000:]
    metadata = (tmp_path / run.stdout.strip().splitlines()[-1] / "METADATA").read_text()
    assert "License-Expression: MIT" in metadata
