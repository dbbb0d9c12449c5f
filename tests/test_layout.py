"""The layout's rules: imports between the top-level folders go one way, and nothing edits sys.path."""

import ast

import pytest

from autograder import REPO_ROOT
from autograder.build import robot_lab as rlb

#: Which of the kit's top-level packages each one may import: tests -> reference -> autograder -> robot_lab.
ALLOWED = {
    "robot_lab": set(),
    "autograder": {"robot_lab"},
    "reference": {"autograder", "robot_lab"},
    "tests": {"autograder", "reference", "robot_lab"},
}


def kit_imports(path):
    """The kit's top-level packages that the Python file ``path`` imports (absolute imports)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(ALLOWED)
    return found


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_a_folder_imports_only_the_folders_below_it(folder):
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        wrong = kit_imports(path) - ALLOWED[folder] - {folder}
        assert not wrong, (
            f"{path.relative_to(REPO_ROOT)} imports {sorted(wrong)}; {folder}/ may import {ALLOWED[folder]}"
        )


def edits_sys_path(path):
    """Whether the Python file ``path`` calls ``sys.path.insert``, ``append`` or ``extend``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (
                node.func.attr in {"insert", "append", "extend"}
                and isinstance(target, ast.Attribute)
                and target.attr == "path"
                and isinstance(target.value, ast.Name)
                and target.value.id == "sys"
            ):
                return True
    return False


def test_no_module_edits_sys_path():
    for folder in ALLOWED:
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            assert not edits_sys_path(path), f"{path.relative_to(REPO_ROOT)} edits sys.path: run it with python -m"


def test_the_students_robot_lab_folder_carries_the_mnist_loader_and_no_autograder_package():
    files = [p.as_posix() for p in rlb.package_files()]
    assert "mnist.py" in files
    assert not any("autograder" in p for p in files)
