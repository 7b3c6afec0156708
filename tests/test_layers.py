"""The import graph of app/ (issue 12): every package imports only the layers below it, so the package
graph has no circle, and no module imports another that imports it back (lazy imports inside functions
count: they are dependencies all the same). ``from app.workflow import deadlines`` depends on that
module, not on the package's __init__."""
import ast
import pathlib

BASE = pathlib.Path(__file__).resolve().parent.parent
# lowest first; a package may import its own modules and any package of a lower layer, never one of
# its own layer or above
LAYERS = [
    ["app.extensions"],
    ["app.models"],
    ["app.core"],  # errors, after-commit work
    ["app.documents", "app.help"],  # stored files; the help's guide, FAQ rendering and search
    ["app.schemas"],  # what goes in and out: loads, checks, dumps
    ["app.security"],
    ["app.conclusions"],
    ["app.workflow"],
    ["app.video"],  # rooms, tokens, calls and sessions of a request
    ["app.jobs", "app.demo"],
    ["app.realtime", "app.api", "app.views"],
    ["app"],  # the factory
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def module_name(path: pathlib.Path) -> str:
    name = ".".join(path.relative_to(BASE).with_suffix("").parts)
    return name.removesuffix(".__init__")


MODULES = {module_name(path): path for path in (BASE / "app").rglob("*.py")}


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def imports_of(module: str) -> set[str]:
    """The modules of app/ that ``module`` imports, anywhere in its text."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("app"):
            named = [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(name for name in named if name in MODULES)
            if not all(name in MODULES for name in named):  # a name the package itself defines
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("app"))
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports_of(module) for module in MODULES}


def test_every_package_of_app_has_its_layer():
    assert {package_of(module) for module in MODULES} <= set(RANK), "a new package needs its place in LAYERS"


def test_no_package_imports_its_own_layer_or_one_above():
    wrong = sorted(
        f"{module} → {imported}"
        for module, imported_modules in GRAPH.items()
        for imported in imported_modules
        if package_of(imported) != package_of(module) and RANK[package_of(imported)] >= RANK[package_of(module)]
        and package_of(module) != "app"
    )
    assert wrong == []


def test_the_module_graph_has_no_circle():
    """Tarjan's strongly connected components: any of more than one module is a circle."""
    index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], [0]

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in GRAPH[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []
