"""The shape of the code: every module imports on its own, and imports run one way.

- Import isolation: each module of ``survey_app``, ``analysis`` and ``bot`` is imported in a
  process of its own in which no other module of the project has been imported but its
  packages, as in a fresh interpreter (``tests/support/importkit.py`` explains how, and why
  not one interpreter per module), so a cycle that only works in one import order (module A
  importing B at module level while B imports A) fails here, not in production on the first
  request that imports B first.
- Layering (the README's rule, checked on the source with ``ast``, imports inside
  functions included): the core (``survey_app`` without ``web`` and ``cli``) imports no
  Flask and none of ``analysis``, ``bot``, ``survey_app.web``, ``survey_app.cli``;
  ``analysis`` and ``bot`` import only the core (and third-party libraries);
  ``survey_app.web`` never imports ``bot`` or ``survey_app.cli``; ``survey_app.cli`` wires
  everything and may import anything.
"""
from __future__ import annotations

import ast
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("survey_app", "analysis", "bot")
PARALLEL = 2 * (os.cpu_count() or 1)  # imports wait on the disk as well as on the CPU


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name, with its source file.

    ``pkgutil.iter_modules`` per directory, not ``walk_packages``: the latter imports each
    package to find its subpackages, which would defeat the isolation below (and silently
    skip the subpackages of a package that fails to import)."""
    found: dict[str, Path] = {}

    def walk(directory: Path, name: str) -> None:
        found[name] = directory / "__init__.py"
        for info in pkgutil.iter_modules([str(directory)]):
            if info.ispkg:
                walk(directory / info.name, f"{name}.{info.name}")
            else:
                found[f"{name}.{info.name}"] = directory / f"{info.name}.py"

    for package in PACKAGES:
        walk(ROOT / package, package)
    return found


MODULES = project_modules()


def third_party(modules: dict[str, Path]) -> list[str]:
    """Every absolute import of the project that is not the project: what every child would import."""
    names = set()
    for module, path in modules.items():
        names |= {name for name in imported_names(module, path) if name.split(".")[0] not in PACKAGES}
    return sorted(names)


def test_the_packages_are_found():
    assert {"survey_app.web.survey.pages", "survey_app.web.survey.recovery", "analysis.frame",
            "bot.engine", "survey_app.cli"} <= set(MODULES)
    assert all(path.is_file() for path in MODULES.values())


def test_every_module_imports_on_its_own():
    job = {"modules": sorted(MODULES), "preload": third_party(MODULES), "parallel": PARALLEL,
           "sources": [str(path) for path in MODULES.values()]}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "importkit.py")], input=json.dumps(job),
                         cwd=ROOT, capture_output=True, text=True, timeout=600,  # ~15 s alone; far more on a loaded machine
                         env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {}


def test_the_dummy_password_hash_costs_what_a_real_one_costs():
    """``survey_app.staff`` keeps a fixed dummy hash (hashing one at import cost every process
    a second); it must carry the default hasher's parameters, or a miss would be cheaper. With
    another hasher (the suite's cheap one), the dummy is made with that hasher."""
    from argon2 import PasswordHasher

    from survey_app import staff

    assert not PasswordHasher().check_needs_rehash(staff._DEFAULT_DUMMY_HASH)
    hashing = staff.password_hashing()
    assert not hashing.hasher.check_needs_rehash(hashing.dummy_hash)


def test_a_process_of_machikoe_hashes_passwords_with_argon2_defaults():
    """The suite's cheap hasher is its own: a process started afresh (the CLI, a server) uses
    argon2-cffi's defaults — RFC 9106's low-memory profile, argon2id."""
    code = ("from survey_app.staff import password_hashing as p; h = p().hasher; "
            "print(h.type.name, h.time_cost, h.memory_cost, h.parallelism)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split() == ["ID", "3", "65536", "4"]


def test_a_cycle_fails_the_isolated_import(tmp_path):
    """The check itself: two modules that import each other's names at module level."""
    package = tmp_path / "cyclic"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from cyclic.b import B\nA = 1\n", encoding="utf-8")
    (package / "b.py").write_text("from cyclic.a import A\nB = 2\n", encoding="utf-8")
    job = {"modules": ["cyclic.a", "cyclic.b", "json"], "preload": [], "parallel": 2}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "importkit.py")], input=json.dumps(job),
                         cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    failures = json.loads(run.stdout)
    assert set(failures) == {"cyclic.a", "cyclic.b"}
    assert all("partially initialized module" in message for message in failures.values())


def test_modules_under_a_package_are_checked_from_its_import(tmp_path):
    """The tree of forks: a cycle inside a subpackage still fails; a package that fails to
    import fails every module under it, with its message (as a fresh import of them would)."""
    files = {"tree/__init__.py": "", "tree/fine.py": "import tree.inner\n", "tree/inner/__init__.py": "",
             "tree/inner/a.py": "from tree.inner.b import B\nA = 1\n", "tree/inner/b.py": "from tree.inner.a import A\nB = 2\n",
             "tree/broken/__init__.py": "raise RuntimeError('no settings')\n", "tree/broken/leaf.py": "LEAF = 1\n"}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    modules = sorted(name[:-3].replace("/", ".").removesuffix(".__init__") for name in files)
    job = {"modules": modules, "preload": [], "parallel": 2, "sources": [str(tmp_path / name) for name in files]}
    run = subprocess.run([sys.executable, str(ROOT / "tests" / "support" / "importkit.py")], input=json.dumps(job),
                         cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(tmp_path)})
    failures = json.loads(run.stdout)
    assert set(failures) == {"tree.inner.a", "tree.inner.b", "tree.broken", "tree.broken.leaf"}
    assert all("partially initialized module" in failures[m] for m in ("tree.inner.a", "tree.inner.b"))
    assert failures["tree.broken.leaf"] == failures["tree.broken"] == "RuntimeError: no settings"


# ---------------------------------------------------------------- layering

def _layer(module: str) -> str:
    for prefix in ("survey_app.web", "survey_app.cli"):
        if module == prefix or module.startswith(prefix + "."):
            return prefix
    return "core" if module.split(".")[0] == "survey_app" else module.split(".")[0]


FORBIDDEN = {  # layer -> the layers and libraries it must not import
    "core": ("flask", "survey_app.web", "survey_app.cli", "analysis", "bot"),
    "analysis": ("flask", "survey_app.web", "survey_app.cli", "bot"),
    "bot": ("flask", "survey_app.web", "survey_app.cli", "analysis"),
    "survey_app.web": ("survey_app.cli", "bot"),
    "survey_app.cli": (),
}


def imported_names(module: str, path: Path) -> set[str]:
    """Absolute names of everything ``module`` imports (relative imports resolved)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            # ``from . import x`` and ``from pkg import sub`` may name modules, not attributes
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    top = name.split(".")[0]
    return any(name == f or name.startswith(f + ".") or (f == "flask" and top.startswith("flask"))
               for f in forbidden)


def layering_violations(modules: dict[str, Path]) -> list[str]:
    found = []
    for module, path in sorted(modules.items()):
        forbidden = FORBIDDEN[_layer(module)]
        found.extend(f"{module} imports {name}" for name in sorted(imported_names(module, path))
                     if _breaks(name, forbidden))
    return found


def test_imports_run_one_way():
    assert layering_violations(MODULES) == []


@pytest.mark.parametrize(("module", "source", "bad"), [
    ("survey_app.fake", "import flask_wtf\n", "flask_wtf"),
    ("survey_app.fake", "def f():\n    from survey_app.web import context\n", "survey_app.web"),
    ("analysis.fake", "from bot import engine\n", "bot.engine"),
    ("bot.fake", "from analysis.frame import Frame\n", "analysis.frame"),
    ("survey_app.web.fake", "from ..cli import main\n", "survey_app.cli"),
    ("survey_app.web.fake", "import bot.telegram\n", "bot.telegram"),
])
def test_the_layering_check_catches_a_wrong_import(tmp_path, module, source, bad):
    path = tmp_path / "fake.py"
    path.write_text(source, encoding="utf-8")
    violations = layering_violations({module: path})
    assert violations and all(v.startswith(f"{module} imports ") for v in violations)
    assert any(bad in v for v in violations)


def test_the_wiring_may_import_everything(tmp_path):
    path = tmp_path / "fake.py"
    path.write_text("import bot.telegram\nfrom analysis import frame\nfrom survey_app.web import create_app\n",
                    encoding="utf-8")
    assert layering_violations({"survey_app.cli.fake": path}) == []


def test_the_survey_blueprint_handles_database_outages_itself():
    """The survey re-shows its own posted page; the app-wide handler knows nothing of the survey."""
    from survey_app.web import outage
    from survey_app.web.survey import bp, recovery

    handlers = bp.error_handler_spec[None][None]
    assert all(handlers[error] is recovery.database_unavailable for error in outage.DATABASE_ERRORS)
    outage_imports = imported_names("survey_app.web.outage", MODULES["survey_app.web.outage"])
    assert not any(name.startswith("survey_app.web.survey") for name in outage_imports)


def test_analysis_reads_no_orm_tables():
    """Analysis reads responses through the core's query functions (``survey_app.queries``)."""
    readers = {module for module, path in MODULES.items()
               if module.startswith("analysis") and "survey_app.models" in imported_names(module, path)}
    assert readers == set()


def test_the_survey_pages_are_drawn_only_by_render():
    """Every resident-facing page of the survey blueprint comes from ``render`` (the routes and the
    error handlers choose a page; only ``render`` fills a template)."""
    drawers = {module for module, path in MODULES.items() if module.startswith("survey_app.web.survey")
               and "render_template" in path.read_text(encoding="utf-8")}
    assert drawers == {"survey_app.web.survey.render"}
