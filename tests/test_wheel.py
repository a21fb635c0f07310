"""The built wheel carries everything the app needs (templates, static files, migrations, data):
installed on its own into a fresh virtualenv, `chipwatch demo --no-serve` migrates a new
database and stores the demo articles.

No network: the wheel is built with the locked setuptools (--no-build-isolation), and the fresh
venv reaches the locked dependencies through a .pth line naming this .venv's site-packages (a
plain path entry: the editable install of the source tree that lives there is not activated,
since only a site directory's own .pth files run). The project itself comes only from the wheel,
which the test checks by importing `app` from a temporary working directory."""

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def _build_wheel(tmp_path: Path) -> Path:
    # Built from a copy of what the wheel is made of, so the source tree gets no build/ or egg-info.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "app", source / "app", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--disable-pip-version-check", "-w", dist, source])
    (wheel,) = dist.glob("chipwatch-*.whl")
    return wheel


def test_the_wheel_installed_alone_runs_the_demo(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in ("app/templates/base.html", "app/static/app.css", "app/migrations/env.py",
                    "app/migrations/script.py.mako", "app/data/sample/articles.jsonl"):
        assert shipped in names
    assert any(n.startswith("app/migrations/versions/") and n.endswith(".py") for n in names)

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (site / "chipwatch-locked-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
          "--disable-pip-version-check", wheel])

    work = tmp_path / "cwd"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHIPWATCH_", "PYTHON"))}
    env["CHIPWATCH_DATA_DIR"] = str(tmp_path / "data")
    where = _run([python, "-c", "import app; print(app.__file__)"], cwd=work, env=env).stdout.strip()
    assert Path(where).is_relative_to(site), where  # the wheel's copy, not the source tree

    demo = _run([env_dir / "bin" / "chipwatch", "demo", "--no-serve"], cwd=work, env=env)
    assert "sample corpus:" in demo.stdout
    with sqlite3.connect(tmp_path / "data" / "chipwatch.db") as db:
        (head,) = db.execute("SELECT version_num FROM alembic_version").fetchone()
        (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
    sample = (ROOT / "app" / "data" / "sample" / "articles.jsonl").read_text(encoding="utf-8")
    assert 0 < articles <= sum(1 for line in sample.splitlines() if line.strip())
    assert head == ScriptDirectory(str(ROOT / "app" / "migrations")).get_current_head()
