#!/usr/bin/env python3
"""Checks that code below cli/ speaks no command line of its own (docs/ARCHITECTURE.md, Errors).

Below cli/, a hint or warning names an option of the failing operation as option_ref("--force"),
which the command line renders as the flag and a library binding as its parameter; and no code
there names an exit code. Whole commands a user may run (`mlv pull`, `git fetch --tags`) stay as
text in backticks: they are the same advice in every front end.

Prints each offending string literal with its file and line; exits 1 when there is one.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parents[2])
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
# A flag as a user types it: --long-name, or -r / -o alone.
FLAG = re.compile(r"(?:^|[\s(])(--[a-z][a-z-]+|-[a-zA-Z](?=[\s,.;)]|$))")
EXIT_CODE = re.compile(r"\bexit(?:_code|Code)\b|\bExitCode\b")


def literals(text):
    """(line, literal, starts_statement) of every string literal outside comments, in order,
    leaving out the arguments of option_ref()."""
    without_comments = re.sub(r"//[^\n]*", lambda m: " " * len(m.group(0)), text)
    previous_end = 0
    for match in LITERAL.finditer(without_comments):
        between = without_comments[previous_end:match.start()]
        previous_end = match.end()
        if re.search(r"option_ref\(\s*$", without_comments[:match.start()][-40:]):
            continue
        line = without_comments.count("\n", 0, match.start()) + 1
        yield line, match.group(1), ";" in between or "{" in between


def check_file(path):
    problems = []
    text = path.read_text()
    found = list(literals(text))
    # Backticks pair up across the literals of a statement (a command may be split by a
    # concatenation), so their state is carried from one literal to the next.
    in_command = False
    for line, literal, starts_statement in found:
        if starts_statement:
            in_command = False
        outside = []
        for piece_index, piece in enumerate(literal.split("`")):
            if piece_index > 0:
                in_command = not in_command
            if not in_command:
                outside.append(re.sub(r"\{-[^}]*\}", "", piece))
        for flag in FLAG.findall(" ".join(outside)):
            problems.append(f"{path.relative_to(ROOT)}:{line}: flag '{flag}' in \"{literal}\"")
    for number, source_line in enumerate(text.splitlines(), 1):
        code = source_line.split("//", 1)[0]
        if EXIT_CODE.search(code):
            problems.append(f"{path.relative_to(ROOT)}:{number}: an exit code below cli/: {code}")
    return problems


def main():
    problems = []
    for folder in (ROOT / "src" / "mlv", ROOT / "include" / "mlv"):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in (".cpp", ".hpp") or "cli" in path.relative_to(folder).parts[:1]:
                continue
            problems += check_file(path)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} command-line word(s) below cli/: name options with option_ref() "
              "and leave exit codes to cli/exit_code.cpp", file=sys.stderr)
        return 1
    print("no flag or exit code below cli/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
