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
