"""Comments and docstrings of the notebooks' shared code cells, in the notebook's language.

Code cells are written once, in English, for both languages. Their comments and docstrings
are what a French student reads beside the French prose, so the build swaps each such line
for its French version, from ``assignments/common/code_fr.json`` (English line, stripped →
French line). A whole line is swapped or none of it, its indentation kept; code never
changes (a line that holds code and a comment is swapped only as a whole, its code the same).
A test checks that every comment and docstring line of the shared cells has its French line.
"""

import json
import re

from .. import REPO_ROOT

TRANSLATIONS = {"fr": REPO_ROOT / "assignments" / "common" / "code_fr.json"}
_cache = {}


def translations(lang):
    """``{English line (stripped): line in lang}``; empty for English."""
    if lang not in TRANSLATIONS:
        return {}
    if lang not in _cache:
        _cache[lang] = json.loads(TRANSLATIONS[lang].read_text())
    return _cache[lang]


def translate_code(source, lang):
    """``source`` (a code cell's text) with its comment and docstring lines in ``lang``."""
    table = translations(lang)
    if not table:
        return source
    lines = []
    for line in source.split("\n"):
        indent = re.match(r"\s*", line)[0]
        lines.append(indent + table[line.strip()] if line.strip() in table else line)
    return "\n".join(lines)


def prose_lines(source):
    """The stripped lines of a code cell that students read as prose: comments and docstring lines.

    Otter's and the kit's markers (``# BEGIN …``, ``# END …``, ``# SOLUTION``) are not prose.
    """
    found, in_docstring = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        starts_docstring = stripped.startswith('"""')
        if in_docstring or starts_docstring:
            if stripped and stripped != '"""':
                found.append(stripped)
            if stripped.count('"""') == 1:
                in_docstring = not in_docstring
        elif re.search(r"(^|\s)# ", line) and not re.search(r"# (BEGIN|END) |# SOLUTION", line):
            found.append(stripped)
    return found
