#!/usr/bin/env python3
"""Checks that each module's DEPS in CMakeLists.txt name exactly the mlv modules whose headers
it includes, and that no module includes one above it in docs/ARCHITECTURE.md's layering.

A module that includes another's headers without declaring it builds only by luck (a third
module links it in); a declared module it never includes hides the real layering. Usage:
check_module_deps.py REPO_ROOT. Prints each mismatch; exits 1 if there is any."""

import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
cmake = (root / "CMakeLists.txt").read_text()
declared = {}
for match in re.finditer(r"mlv_module\((\w+) DEPS([^)]*)\)", cmake):
    declared[match.group(1)] = {dep[4:] for dep in match.group(2).split() if dep.startswith("mlv_")}

problems = []
for module, deps in sorted(declared.items()):
    included = set()
    for folder in (root / "src/mlv" / module, root / "include/mlv" / module):
        for path in folder.rglob("*"):
            if path.suffix in (".cpp", ".hpp"):
                included |= set(re.findall(r"#include <mlv/(\w+)/", path.read_text()))
    included.discard(module)
    for missing in sorted(included - deps):
        problems.append(f"{module} includes mlv/{missing}/ but its DEPS do not name mlv_{missing}")
    for unused in sorted(deps - included):
        problems.append(f"{module} declares mlv_{unused} in DEPS but includes none of its headers")
    if module in deps:
        problems.append(f"{module} depends on itself")

# Cycles make the layering meaningless: walk the declared graph.
def reaches(start, target, seen):
    for dep in declared.get(start, ()):
        if dep == target or (dep not in seen and reaches(dep, target, seen | {dep})):
            return True
    return False

for module in sorted(declared):
    if reaches(module, module, {module}):
        problems.append(f"{module} depends on itself through other modules (a cycle)")

for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
