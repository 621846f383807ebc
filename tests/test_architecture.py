"""The shape of the code: services never import tasks, and no import circle.

The graph counts every import, at the top of a module or inside a function,
so an import moved into a function body to dodge a circle is still a circle.
"""

import ast
import re
from pathlib import Path

SURVEY = Path(__file__).resolve().parents[1] / "survey"


def module_name(path: Path) -> str:
    parts = path.relative_to(SURVEY.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The survey modules a file imports (``from survey.x import y`` names survey.x.y if it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: survey uses absolute imports only"
            base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in modules}
    return found


def graph() -> dict[str, set[str]]:
    paths = [p for p in SURVEY.rglob("*.py") if "migrations" not in p.parts]
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) - {module_name(p)} for p in paths}


def test_only_the_tasks_module_imports_the_tasks_module():
    importers = sorted(m for m, imported in graph().items() if "survey.tasks" in imported)
    assert importers == [], f"services ask for work with request_aggregation, they never import tasks: {importers}"


def test_no_import_circle():
    edges = graph()
    # Packages' __init__ modules are empty; an edge to a package is not a cycle through it.
    circles = []

    def visit(module, path):
        for nxt in sorted(edges.get(module, ())):
            if nxt in path:
                circles.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(module)

    done: set[str] = set()
    for module in sorted(edges):
        if module not in done:
            visit(module, [module])
    assert circles == [], "import circles: " + "; ".join(" -> ".join(c) for c in circles)


def test_the_walk_sees_imports_inside_functions():
    """The checker itself: an import in a function body counts."""
    sample = SURVEY / "tasks.py"
    assert "survey.figures.aggregate" in imports_of(sample, {"survey.figures.aggregate"})


def named_modules(page: str) -> set[str]:
    """Every module the page names: full paths, and in the flow diagram bare
    names under the package named last on or above their line."""
    named = set(re.findall(r"survey/[a-z_/]+\.py", page))
    package = None
    for line in page.split("```")[1].splitlines():
        found = re.search(r"survey/([a-z_]+)/ ", line)
        package = found.group(1) if found else package
        for name in re.findall(r"(?<![/\w])([a-z_]+\.py)", line):
            named.add(f"survey/{package}/{name}")
    return named


def test_the_architecture_page_names_only_modules_that_exist_and_every_rule():
    page = (SURVEY.parent / "docs" / "architecture.md").read_text()
    named = named_modules(page)
    assert len(named) > 25
    missing = sorted(path for path in named if not (SURVEY.parent / path).exists())
    assert missing == []
    rules = re.findall(r"^\| (\d) \|.*\| `(survey/[^`]+\.py)`", page, flags=re.M)
    assert sorted({int(number) for number, _ in rules}) == list(range(1, 9))


def test_every_refusal_shown_to_people_is_a_refused():
    from survey.definitions.format import DefinitionError
    from survey.definitions.status import StatusRefused
    from survey.moderation.decisions import ModerationRefused
    from survey.refused import Refused
    from survey.reports.publishing import PublishRefused
    from survey.responses.answers import AnswerError
    from survey.responses.importing import CsvImportError
    from survey.responses.invitation_codes import CodeError
    from survey.staff.team import TeamRefused

    kinds = [DefinitionError, StatusRefused, ModerationRefused, PublishRefused, AnswerError, CsvImportError]
    assert all(issubclass(kind, Refused) for kind in [*kinds, CodeError, TeamRefused])
    declared = set()
    for path in SURVEY.rglob("*.py"):
        declared |= set(re.findall(r"^class (\w+(?:Refused|Error))\((\w+)\)", path.read_text(), flags=re.M))
    assert {base for _, base in declared} == {"Refused"}, declared
