"""The shape of app/, checked from its source (ast, nothing imported): no import cycle between
its packages and top-level modules, SQL written out only in repository modules, and SQLAlchemy
queries built (select/insert/update/delete/text/func) only in repositories and migrations.

An import under `if TYPE_CHECKING:` is no dependency (it never runs); an import inside a function
is one."""

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Modules allowed to hold SQL text besides repositories: the low-level bulk helpers repositories
# use, and the engine set-up (SQLite pragmas, its write transaction).
SQL_HOMES = {"app.bulk", "app.db"}

# Modules allowed to build SQLAlchemy queries besides repositories and migrations: the two above;
# the database search, which compiles a query plan into one statement (it is the search's query
# builder); and the outbox queue, the one place that inserts outbox rows (see the last test).
QUERY_HOMES = SQL_HOMES | {"app.search.database", "app.index_queue"}
# Services that still built their own queries when this check came (#22 moved the web pages',
# the CLI's and the metrics' into repositories). Move these too; never add a module here.
QUERIES_NOT_YET_MOVED = {"app.ingest.pipeline", "app.search.article_cache", "app.search.indexing"}
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text", "func"}

_SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|COPY|PRAGMA)\s", re.MULTILINE)


def _modules() -> dict[str, Path]:
    out = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(APP.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _runtime_nodes(tree: ast.Module) -> list[ast.AST]:
    """Every node, except those under `if TYPE_CHECKING:`."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return [n for n in ast.walk(tree) if id(n) not in skipped]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES}


def _unit(module: str) -> str:
    """The package (app.ingest) or top-level module (app.cli) a module belongs to."""
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, dict[str, list[str]]]:
    """unit -> imported unit -> the imports that make the edge ("app.x.y -> app.z.w")."""
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path in MODULES.items():
        for target in _imports(path):
            a, b = _unit(module), _unit(target)
            if a != b:
                graph.setdefault(a, {}).setdefault(b, []).append(f"{module} -> {target}")
    return graph


def module_graph(package: str) -> dict[str, dict[str, list[str]]]:
    graph: dict[str, dict[str, list[str]]] = {}
    for module, path in MODULES.items():
        if _unit(module) != package or module == package:
            continue
        for target in _imports(path):
            if _unit(target) == package and target != module and target != package:
                graph.setdefault(module, {}).setdefault(target, []).append(f"{module} -> {target}")
    return graph


def cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _explain(graph, component: list[str]) -> str:
    return "; ".join(edge for a in component for b, edges in graph.get(a, {}).items() if b in component
                     for edge in edges)


def sql_in(path: Path) -> list[str]:
    """Where a module writes SQL itself: text(...), exec_driver_sql(...), or a string that reads
    like a statement."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    # text() is SQLAlchemy's only when imported from it (an HTML tree has a text() too)
    sql_text = any(isinstance(n, ast.ImportFrom) and (n.module or "").startswith("sqlalchemy")
                   and any(a.name == "text" for a in n.names) for n in ast.walk(tree))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (isinstance(func, ast.Attribute) and func.attr == "exec_driver_sql") or (
                    sql_text and isinstance(func, ast.Name) and func.id == "text"):
                found.append((node.lineno, "exec_driver_sql(...)" if isinstance(func, ast.Attribute) else "text(...)"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value):
            found.append((node.lineno, repr(node.value.strip()[:40])))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def queries_in(path: Path) -> list[str]:
    """Where a module builds a SQLAlchemy query: a use of select, insert, update, delete, text or
    func imported from sqlalchemy (or reached as an attribute of the imported sqlalchemy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            names.update(a.asname or a.name for a in node.names if a.name in QUERY_BUILDERS)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("sqlalchemy"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load):
            found.add((node.lineno, node.id))
        elif (isinstance(node, ast.Attribute) and node.attr in QUERY_BUILDERS
              and ast.unparse(node.value) in modules):
            found.add((node.lineno, ast.unparse(node)))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def _is_repository_or_migration(module: str) -> bool:
    # app.migrate runs the migrations (it reads alembic_version to skip them when at head).
    return (
        module.endswith(".repository")
        or module.startswith("app.migrations")
        or module == "app.migrate"
    )


def test_no_import_cycle_between_packages():
    graph = package_graph()
    assert {"app.ingest", "app.article", "app.search"} <= graph.keys()  # the graph was read
    assert [_explain(graph, c) for c in cycles(graph)] == []


def test_no_import_cycle_between_modules_of_a_package():
    packages = {_unit(m) for m, p in MODULES.items() if p.name == "__init__.py" and m.count(".") == 1}
    problems = []
    for package in sorted(packages):
        graph = module_graph(package)
        problems += [_explain(graph, c) for c in cycles(graph)]
    assert problems == []


def test_sql_only_in_repositories():
    outside = {}
    for module, path in sorted(MODULES.items()):
        if _is_repository_or_migration(module) or module in SQL_HOMES:
            continue
        if found := sql_in(path):
            outside[module] = found
    assert outside == {}


def test_queries_only_in_repositories():
    outside = {}
    for module, path in sorted(MODULES.items()):
        if _is_repository_or_migration(module) or module in QUERY_HOMES | QUERIES_NOT_YET_MOVED:
            continue
        if found := queries_in(path):
            outside[module] = found
    assert outside == {}


def test_modules_not_yet_moved_still_build_queries():
    """The list of services still building queries only shrinks: a module that no longer builds
    any leaves it (so the exception cannot outlive its reason)."""
    assert {m for m in QUERIES_NOT_YET_MOVED if not queries_in(MODULES[m])} == set()


def test_the_checks_catch_what_they_look_for(tmp_path):
    """A cycle and a statement are found (the checks above could not pass by finding nothing)."""
    assert cycles({"a": {"b": ["a -> b"]}, "b": {"c": ["b -> c"]}, "c": {"a": ["c -> a"]}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": ["a -> b"]}}) == []
    source = tmp_path / "m.py"
    source.write_text('from sqlalchemy import text\nq = text("SELECT 1")\nr = """\n  UPDATE articles SET x = 1"""\n'
                      'conn.exec_driver_sql(q)\nok = "Select a source"\n')
    assert [f.split(":")[0] for f in sql_in(source)] == ["line 2", "line 2", "line 3", "line 5"]
    built = tmp_path / "q.py"
    built.write_text("import sqlalchemy as sa\nfrom sqlalchemy import func, select as sel\n"
                     "q = sel(A).where(A.x == 1)\nn = func.count()\nd = sa.delete(A)\nselect = 1\n")
    assert queries_in(built) == ["line 3: sel", "line 4: func", "line 5: sa.delete"]


def test_outbox_rows_are_queued_in_one_place():
    """Index-outbox rows are inserted only by app/index_queue.py (whoever changes an article
    calls it); the drain in app/search/indexing.py reads and deletes them."""
    writers = set()
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and (
                    node.func.id == "IndexOutbox" or (node.func.id == "insert" and node.args
                                                      and ast.unparse(node.args[0]) == "IndexOutbox")):
                writers.add(module)
    assert writers == {"app.index_queue"}
