#!/usr/bin/env python3
"""Set up Muster on a fresh machine and run the demo or the tests (see README.md).

    python3 dev.py demo    set up, build the demo data, serve it on http://127.0.0.1:8000
    python3 dev.py test    set up, run the whole test suite (SQLite, then PostgreSQL if reachable)

Only the standard library is used here: it runs with any Python 3.8+, finds a Python 3.12 or
newer (Django 6 needs it) to build .venv, installs the locked dependencies and runs `muster`.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
NODE_LOCK = ROOT / "package-lock.json"
MIN_PYTHON = (3, 12)
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
CHROMIUM = "/usr/bin/chromium"
SOFFICE = "/usr/bin/soffice"
PDFTOTEXT = "/usr/bin/pdftotext"


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    say(" ".join(str(a) for a in args))
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=check).returncode


def python_version(executable: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    major, minor = out.stdout.split()
    return int(major), int(minor)


def find_python() -> str:
    """The newest supported interpreter: this one, one on PATH, or one pyenv installed."""
    candidates = [sys.executable]
    for name in ("python3.13", "python3.12", "python3.14", "python3"):
        found = shutil.which(name)
        if found:
            candidates.append(found)
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.1[2-9]*/bin/python3"))
    for candidate in candidates:
        version = python_version(candidate)
        if version and version >= MIN_PYTHON and version < (3, 15):
            return candidate
    sys.exit(
        "Muster needs Python 3.12 or newer (Django 6 does); none was found on PATH or in pyenv."
    )


def set_up() -> Path:
    """Create .venv and install the locked dependencies; again only when the lock changed."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".lock-hash"
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python
    if not python.exists():
        run(find_python(), "-m", "venv", VENV)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "-r", LOCK)
    run(python, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT)
    stamp.write_text(wanted)
    return python


def install_front_end() -> None:
    """GOV.UK Frontend and axe-core from npm (package-lock.json) into node_modules/, which
    Django serves; again only when the lock changed. Nothing third-party is committed."""
    stamp = ROOT / "node_modules" / ".lock-hash"
    wanted = hashlib.sha256(NODE_LOCK.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("Muster's pages need Node.js and npm to install their front-end packages "
                 "(sudo apt-get install nodejs npm).")
    run(npm, "ci", "--no-audit", "--no-fund")
    stamp.write_text(wanted)


def postgres_reachable(python: Path, url: str) -> bool:
    probe = (
        "import sys, psycopg\n"
        "try:\n"
        f"    psycopg.connect({url!r}.replace('postgres://', 'postgresql://'), connect_timeout=3).close()\n"
        "except Exception as error:\n"
        "    print(error); sys.exit(1)\n"
    )
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def demo() -> None:
    python = set_up()
    install_front_end()
    muster = VENV / "bin" / "muster"
    env = {**os.environ, "MUSTER_DEBUG": "true"}
    env.pop("DATABASE_URL", None)
    run(muster, "migrate", env=env)
    run(muster, "demo", "--serve", env=env)
    del python


DEBIAN_PACKAGES = {
    CHROMIUM: ("chromium", "the browser tests"),
    SOFFICE: ("libreoffice-writer-nogui", "the letters' PDF conversion and its tests"),
    PDFTOTEXT: ("poppler-utils", "the letters' tests, which read the PDF's text"),
}
"""Programs from Debian's packages that the tests use: where each lives, its package, what needs it."""


def ensure_debian_packages() -> None:
    """Install the missing ones where we may (root with apt); otherwise say what will fail."""
    missing = {path: need for path, need in DEBIAN_PACKAGES.items() if not Path(path).exists()}
    if not missing:
        return
    packages = [package for package, _ in missing.values()]
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages, env=env)
        return
    for path, (package, needed_by) in missing.items():
        say(f"NOTICE: {path} is missing and cannot be installed from here: {needed_by} will "
            f"fail. Install Debian's {package} package (sudo apt-get install {package}).")


def test(extra: list[str]) -> None:
    python = set_up()
    install_front_end()
    ensure_debian_packages()
    bin_dir = VENV / "bin"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("DATABASE_URL", None)
    failures = []
    steps = [
        ("lint", [bin_dir / "ruff", "check", "src", "tests", "bench", "dev.py"]),
        ("core stays free of Django", [bin_dir / "lint-imports"]),
    ]
    for label, command in steps:
        say(f"== {label}")
        if run(*command, env=env, check=False) != 0:
            failures.append(label)
    # The PostgreSQL leg runs beside the SQLite one (two cores, two databases); its output is
    # kept in a file and printed when it ends, so the two do not interleave.
    url = os.environ.get("DATABASE_URL") or POSTGRES_URL
    postgres = None
    if postgres_reachable(python, url):
        say("== tests on PostgreSQL (started; its output follows the SQLite leg)")
        handle, name = tempfile.mkstemp(prefix="muster-postgres-", suffix=".log")
        os.close(handle)
        log_path = Path(name)
        with log_path.open("w") as log:  # the child keeps its own copy of the file
            postgres = subprocess.Popen([str(python), "-m", "pytest", *extra], cwd=ROOT,
                                        env={**env, "DATABASE_URL": url}, stdout=log,
                                        stderr=subprocess.STDOUT)
    say("== tests on SQLite")
    if run(python, "-m", "pytest", *extra, env=env, check=False) != 0:
        failures.append("tests on SQLite")
    conformance = ROOT.parent / "shared" / "conformance" / "check"
    if conformance.exists():
        say("== conformance registers (shared/conformance)")
        if run("bash", conformance, env=env, check=False) != 0:
            failures.append("conformance")
    say("== tests on PostgreSQL")
    if postgres is not None:
        code = postgres.wait()
        sys.stdout.write(log_path.read_text(errors="replace"))
        sys.stdout.flush()
        log_path.unlink()
        if code != 0:
            failures.append("tests on PostgreSQL")
    else:
        say(f"NOTICE: PostgreSQL is not reachable at {url}: the PostgreSQL leg was SKIPPED.")
        say("Set DATABASE_URL to a PostgreSQL database (with CREATEDB rights) to run it.")
    if failures:
        say("FAILED: " + ", ".join(failures))
        sys.exit(1)
    say("all test steps passed")


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test", "setup"):
        sys.exit(__doc__)
    if sys.argv[1] == "demo":
        demo()
    elif sys.argv[1] == "test":
        test(sys.argv[2:])
    else:
        set_up()


if __name__ == "__main__":
    main()
