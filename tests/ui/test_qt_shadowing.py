"""No widget stores an attribute under the name of one of its Qt methods (issue #17 item 8).

``self.thread = AcquireThread(…)`` on a QObject hides ``QObject.thread()``: a later ``self.thread()``,
Qt's own Python-side helpers or a debugger then get the attribute, and the bug shows far away.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from pathlib import Path

from counter_app.ui.qt import QObject

UI = Path(__file__).resolve().parents[2] / "counter_app" / "ui"


def hidden_members(cls: type, node: ast.ClassDef) -> list[str]:
    """``name (line)`` of each ``self.name = …`` in the class body whose name a Qt base of ``cls`` defines."""
    qt_bases = [b for b in cls.__mro__ if b.__module__.startswith(("PySide6", "shiboken6"))]
    found = []
    for stmt in ast.walk(node):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, ast.AnnAssign) else []
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                        and any(t.attr in vars(b) for b in qt_bases)):
                    found.append(f"{cls.__name__}.{t.attr} (line {t.lineno})")
    return found


def test_no_widget_attribute_hides_a_qt_method() -> None:
    problems = []
    for path in sorted(UI.rglob("*.py")):
        name = ".".join(path.relative_to(UI.parents[1]).with_suffix("").parts).removesuffix(".__init__")
        module = importlib.import_module(name)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            cls = getattr(module, node.name, None) if isinstance(node, ast.ClassDef) else None
            if isinstance(cls, type):  # classes defined inside functions are not reachable: skipped
                problems += [f"{name}: {p}" for p in hidden_members(cls, node)]
    assert problems == []


class _Runner(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.thread = None  # type: ignore[assignment]  # the mistake the check must see


def test_the_check_sees_an_attribute_hiding_qobject_thread() -> None:
    [node] = ast.parse(textwrap.dedent(inspect.getsource(_Runner))).body
    assert isinstance(node, ast.ClassDef)
    assert hidden_members(_Runner, node) == ["_Runner.thread (line 4)"]
