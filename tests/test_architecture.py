"""The shape of the code: no import ring among the project's modules, and `programs` (with its register
toolkit) never imports `applicants`, so the lower layer can be read, tested and reused on its own.

Read from the source with `ast`; nothing is imported. Only imports that run when a module is loaded count
for rings (an import inside a function runs later and cannot deadlock a load); `if TYPE_CHECKING:` blocks
never run. Migrations are left out: Django loads them on its own and they only name apps by label.

The last section holds the test support to the same standard: every model has one factory, declared only
in `tests/factories/`, whose rows pass the model's own validation, and NIK/KK helpers whose numbers the
identity rules accept.
"""

import ast
import datetime
import warnings
from dataclasses import dataclass
from pathlib import Path

import factory
import pytest
from django.apps import apps

import tests.factories as f
from applicants import identity
from applicants.privacy import roles
from programs.models import Kecamatan
from tests.factories import ApplicantFactory, UserFactory, make_kk, make_nik

REPO = Path(__file__).resolve().parents[1]
# Folder -> the dotted name Python knows it by (site/ is the `portal` package).
PACKAGES = {"applicants": "applicants", "programs": "programs", "public_pages": "public_pages", "site": "portal"}
AREA_MODULE_LINES = 400


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported project module
    line: int
    at_load: bool  # runs when the importing module is loaded


def project_modules(root: Path = REPO, packages: dict[str, str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of the given packages outside migrations."""
    modules = {}
    for folder, dotted in packages.items():
        base = root / folder
        for path in sorted(base.rglob("*.py")):
            parts = path.relative_to(base).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((dotted, *parts))] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports_with_timing(tree: ast.Module):
    """(node, at_load) for every import statement; at_load is False inside functions and TYPE_CHECKING."""
    found = []

    def visit(node, at_load):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, at_load))
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                visit(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for stmt in child.body:
                    visit(ast.Module(body=[stmt], type_ignores=[]), False)
                for stmt in child.orelse:
                    visit(ast.Module(body=[stmt], type_ignores=[]), at_load)
            else:
                visit(child, at_load)

    visit(tree, True)
    return found


def _nearest_module(name: str, modules) -> str | None:
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def project_imports(modules: dict[str, Path]) -> list[Import]:
    """Every import of a project module by a project module, resolved to the most specific module
    (`from applicants import identity` is an import of `applicants.identity`), plus the packages Python
    loads on the way (`applicants.models.people` loads `applicants.models` and its re-exports)."""
    found = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node, at_load in _imports_with_timing(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                candidates = [f"{base}.{alias.name}" for alias in node.names]
            for candidate in candidates:
                target = _nearest_module(candidate, modules)
                if target and target != name:
                    found += [Import(name, module, node.lineno, at_load) for module in _loaded(target, name, modules)]
    return found


def _loaded(target: str, source: str, modules) -> list[str]:
    """What importing `target` from `source` loads: the target and each package above it, except the
    packages above `source` itself (already loading before `source` runs)."""
    parts = target.split(".")
    packages = [".".join(parts[:n]) for n in range(1, len(parts))]
    return [target] + [
        package for package in packages
        if package in modules and not (source == package or source.startswith(package + "."))
    ]


def import_rings(imports: list[Import]) -> list[list[Import]]:
    """One cycle of load-time imports per strongly connected group of modules (Tarjan), as the imports
    that close it."""
    graph: dict[str, list[Import]] = {}
    for imp in imports:
        if imp.at_load:
            graph.setdefault(imp.source, []).append(imp)
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def connect(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for imp in graph.get(node, ()):
            if imp.target not in index:
                connect(imp.target)
                low[node] = min(low[node], low[imp.target])
            elif imp.target in on_stack:
                low[node] = min(low[node], index[imp.target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return [_one_cycle(group, graph) for group in groups]


def _one_cycle(group: set[str], graph) -> list[Import]:
    """A shortest path of imports from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for imp in graph.get(node, ()):
            if imp.target == start:
                return [*paths[node], imp]
            if imp.target in group and imp.target not in paths:
                paths[imp.target] = [*paths[node], imp]
                queue.append(imp.target)
    raise AssertionError(f"no cycle in {group}")


def _describe(cycle: list[Import], modules) -> str:
    steps = [f"{imp.source} -> {imp.target} ({modules[imp.source].relative_to(REPO)}:{imp.line})" for imp in cycle]
    return "\n    ".join(steps)


# --- the project ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modules():
    return project_modules()


@pytest.fixture(scope="module")
def imports(modules):
    return project_imports(modules)


def test_the_checker_sees_the_whole_project(modules, imports):
    assert {"applicants.models", "applicants.privacy.access", "programs.registers.base", "portal.settings.base",
            "public_pages.models"} <= set(modules)
    assert not any(".migrations" in name for name in modules)
    assert Import("applicants.models.people", "applicants.identity", 0, True) in {
        Import(i.source, i.target, 0, i.at_load) for i in imports
    }


def test_no_import_ring_among_the_projects_modules(modules, imports):
    rings = import_rings(imports)
    assert not rings, "import rings (module-level imports; break one edge of each):\n  " + "\n  ".join(
        _describe(cycle, modules) for cycle in rings
    )


def test_programs_never_imports_applicants(modules, imports):
    """Neither at load time nor inside a function: the register toolkit gets masking and identity rules
    injected by the caller."""
    offending = [imp for imp in imports if imp.source.split(".")[0] == "programs" and
                 imp.target.split(".")[0] == "applicants"]
    assert not offending, "programs imports applicants:\n  " + "\n  ".join(
        f"{modules[imp.source].relative_to(REPO)}:{imp.line} imports {imp.target}" for imp in offending
    )


# Inside applicants, lowest first (docs/architecture.md). Modules not named here (apps, management
# commands, package __init__) are not placed.
LEVELS = [
    ({"applicants.enums", "applicants.identity", "applicants.privacy.roles", "applicants.privacy.storage"}, set()),
    ({"applicants.workflow"}, set()),
    ({"applicants.models"}, set()),
    ({"applicants.privacy.access", "applicants.privacy.masking", "applicants.privacy.audit"}, set()),
    (set(), {"services", "importer", "columns", "sources", "rows", "staging", "eligibility", "reader", "retention",
             "subject_rights", "login_security", "ratelimit", "dashboard", "demo", "xlsx"}),
    (set(), {"registers", "forms", "admin_forms", "views", "bulk_actions", "tables", "filters"}),
    (set(), {"wagtail_hooks"}),
]


def level_of(module: str) -> int | None:
    if module.split(".")[0] != "applicants":
        return None
    for number, (names, leaves) in enumerate(LEVELS, start=1):
        if any(module == name or module.startswith(name + ".") for name in names):
            return number
    leaf = module.rpartition(".")[2]
    for number, (_names, leaves) in enumerate(LEVELS, start=1):
        if leaf in leaves and module.count(".") <= 2:
            return number
    return None


def against_the_order(imports: list[Import]) -> list[Import]:
    """Load-time imports of a higher level, and service imports of the screens' level at any time."""
    service_level, screen_level = 5, 6
    found = []
    for imp in imports:
        source, target = level_of(imp.source), level_of(imp.target)
        if not (source and target):
            continue
        if (imp.at_load and target > source) or (source == service_level and target >= screen_level):
            found.append(imp)
    return found


def test_applicants_modules_import_only_their_own_level_or_below(modules, imports):
    """Services never import views, forms, registers or hooks, not even inside a function: a service must
    work from a command, a task or a test without the admin."""
    upward = sorted({
        f"{modules[imp.source].relative_to(REPO)}:{imp.line} (level {level_of(imp.source)}) imports {imp.target} "
        f"(level {level_of(imp.target)})" for imp in against_the_order(imports)
    })
    assert not upward, "imports against the order in docs/architecture.md:\n  " + "\n  ".join(upward)


def test_order_check_refuses_a_model_that_loads_a_service_and_a_service_that_reaches_a_view():
    imports = [
        Import("applicants.models.people", "applicants.intake.services", 1, True),
        Import("applicants.models.people", "applicants.intake.services", 2, False),  # later: allowed
        Import("applicants.selection.services", "applicants.selection.views", 3, False),
        Import("applicants.selection.views", "applicants.selection.services", 4, True),
        Import("applicants.intake.services", "applicants.welfare.eligibility", 5, True),  # same level
        Import("applicants.management.commands.export_register", "applicants.intake.registers", 6, True),
    ]
    assert [imp.line for imp in against_the_order(imports)] == [1, 3]


def test_applicants_never_imports_public_pages(modules, imports):
    offending = [f"{modules[imp.source].relative_to(REPO)}:{imp.line} imports {imp.target}" for imp in imports
                 if imp.source.split(".")[0] in ("applicants", "programs")
                 and imp.target.split(".")[0] == "public_pages"]
    assert not offending, "\n  ".join(["the site's pages sit on top; nothing below imports them:", *offending])


def test_area_modules_over_the_size_guide_are_listed_as_warnings(modules):
    """A guide, not a rule: long modules are where the next split is due. Listed in pytest's warning summary."""
    long_modules = {}
    for name, path in modules.items():
        lines = len(path.read_text().splitlines())
        if lines > AREA_MODULE_LINES:
            long_modules[name] = lines
    for name, lines in sorted(long_modules.items(), key=lambda item: -item[1]):
        warnings.warn(f"{name}: {lines} lines (guide: {AREA_MODULE_LINES})", UserWarning, stacklevel=1)


# --- the checker itself, on trees built to fool it --------------------------------------------------------


def _tree(tmp_path, files: dict[str, str]) -> dict[str, Path]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return project_modules(tmp_path, {"app": "app", "low": "low"})


def _rings(tmp_path, files):
    rings = import_rings(project_imports(_tree(tmp_path, files)))
    return [[(imp.source, imp.target) for imp in cycle] for cycle in rings]


def test_checker_finds_a_ring_through_relative_and_submodule_imports(tmp_path):
    rings = _rings(tmp_path, {
        "app/__init__.py": "",
        "app/models/__init__.py": "from .people import Person\n",
        "app/models/people.py": "from app import workflow\n",
        "app/workflow.py": "import app.models.people as p\n",
    })
    assert rings == [[("app.models", "app.models.people"), ("app.models.people", "app.workflow"),
                      ("app.workflow", "app.models")]]


def test_checker_finds_a_ring_through_the_package_a_submodule_import_loads(tmp_path):
    rings = _rings(tmp_path, {
        "app/__init__.py": "",
        "app/models/__init__.py": "from .people import Person\nfrom .welfare import Record\n",
        "app/models/people.py": "from app import workflow\n",
        "app/models/welfare.py": "",
        "app/workflow.py": "from app.models.welfare import Record\n",
    })
    assert rings == [[("app.models", "app.models.people"), ("app.models.people", "app.workflow"),
                      ("app.workflow", "app.models")]]


def test_checker_finds_a_three_module_ring_hidden_in_a_try_block_and_a_class_body(tmp_path):
    rings = _rings(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "try:\n    from app.b import x\nexcept ImportError:\n    pass\n",
        "app/b.py": "class B:\n    from app import c\n",
        "app/c.py": "from app.a import y\n",
    })
    assert rings == [[("app.a", "app.b"), ("app.b", "app.c"), ("app.c", "app.a")]]


def test_checker_ignores_imports_that_run_later_or_never(tmp_path):
    rings = _rings(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": "from app import b\n",
        "app/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import a\n"
                    "def f():\n    from app import a\n",
        "app/migrations/0001_initial.py": "from app import a\n",
    })
    assert rings == []


def test_checker_reports_a_function_level_import_of_the_upper_layer(tmp_path):
    modules = _tree(tmp_path, {
        "app/__init__.py": "", "app/identity.py": "",
        "low/__init__.py": "", "low/search.py": "def parse():\n    from app.identity import parse_nik\n",
    })
    imports = project_imports(modules)
    assert [(i.source, i.target, i.at_load) for i in imports] == [
        ("low.search", "app.identity", False), ("low.search", "app", False),
    ]


# --- test support -----------------------------------------------------------------------------------------


def _factories():
    return [value for value in vars(f).values()
            if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory)]


def test_one_factory_per_model_and_every_factory_exported_from_the_package():
    models = [factory_class._meta.model for factory_class in _factories()]
    assert len(models) == len(set(models)), "two factories for one model: use a trait for the variant"
    exported = set(_factories())
    for module in (REPO / "tests" / "factories").glob("*.py"):
        tree = ast.parse(module.read_text())
        declared = [node.name for node in tree.body if isinstance(node, ast.ClassDef) and node.name.endswith("Factory")]
        assert {getattr(f, name, None) for name in declared} <= exported, f"{module.name}: add it to __init__"


def test_factories_are_declared_only_in_the_factories_package():
    elsewhere = []
    for module in sorted((REPO / "tests").rglob("*.py")):
        if module.parent.name == "factories":
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ClassDef) and any(ast.unparse(base).endswith("Factory") for base in node.bases):
                elsewhere.append(f"{module.relative_to(REPO)}:{node.lineno} {node.name}")
    assert not elsewhere, "move these to tests/factories/ (a variant is a trait):\n  " + "\n  ".join(elsewhere)


@pytest.mark.parametrize(
    ("birth", "sex", "serial"),
    [(datetime.date(1990, 5, 1), "L", 1), (datetime.date(2001, 12, 31), "P", 9999),
     (datetime.date(1975, 2, 28), "P", 42)],
)
def test_make_nik_and_make_kk_give_numbers_the_identity_rules_accept(birth, sex, serial):
    info = identity.parse_nik(make_nik(birth, sex=sex, serial=serial), today=datetime.date(2026, 12, 1))
    assert (info.birth_date, info.sex, info.nik[-4:]) == (birth, sex, f"{serial:04d}")
    assert identity.parse_kk(make_kk(serial)) == make_kk(serial)
    with pytest.raises(ValueError):
        make_nik(birth, serial=10_000)


@pytest.mark.django_db
def test_factory_applicants_pass_the_models_own_validation():
    for applicant in (ApplicantFactory(), ApplicantFactory(female=True, birth_date=datetime.date(1999, 7, 30))):
        applicant.full_clean()
        assert identity.parse_nik(applicant.nik).sex == applicant.sex


@pytest.mark.django_db
def test_role_traits_give_the_roles_groups_and_kecamatan_restriction():
    kecamatan = Kecamatan.objects.order_by("code").first()
    editor = UserFactory(editor=True, kecamatan=[kecamatan])
    assert list(editor.groups.values_list("name", flat=True)) == [roles.EDITOR]
    assert list(editor.staff_profile.kecamatan.all()) == [kecamatan]
    assert UserFactory(superuser=True).is_superuser
    assert not UserFactory().groups.exists()
    assert UserFactory(interviewer=True).has_perm("applicants.change_interview")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "factory_class", [c for c in _factories() if c._meta.model._meta.app_label in ("applicants", "programs", "auth")],
    ids=lambda c: c.__name__,
)
def test_every_factory_makes_a_row_the_models_own_validation_accepts(factory_class):
    instance = factory_class()
    instance.full_clean()
    assert type(instance).objects.filter(pk=instance.pk).exists()


def test_every_model_with_rows_of_its_own_has_a_factory():
    """Reference data (kecamatan, kelurahan) comes from migrations, export jobs and staff profiles from the
    code that makes them (a register export, UserFactory(kecamatan=...)), the letterhead is the site's one
    setting row (Letterhead.for_site)."""
    made_elsewhere = {"Kecamatan", "Kelurahan", "ExportJob", "StaffProfile", "Letterhead"}
    covered = {c._meta.model for c in _factories()}
    models = [model for label in ("applicants", "programs") for model in apps.get_app_config(label).get_models()]
    missing = [model.__name__ for model in models if model not in covered and model.__name__ not in made_elsewhere]
    assert missing == []
