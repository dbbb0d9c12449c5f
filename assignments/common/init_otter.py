import json
from pathlib import Path

import otter


def find_this_notebook(name, assignment):
    """This notebook's file (the checks are stored in it), even renamed: "tp1_dense (1).ipynb"."""
    if Path(name).is_file():
        return name
    mine = []
    for path in Path.cwd().glob("*.ipynb"):
        try:
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        if metadata.get("otter", {}).get("assignment_name") == assignment:
            mine.append(path)
    if not mine:
        raise FileNotFoundError(
            f"no notebook of {assignment} in {Path.cwd()}: open this notebook from its own folder, "
            f"or rename it {name}. / aucun notebook de {assignment} dans {Path.cwd()} : ouvrez ce "
            f"notebook depuis son dossier, ou renommez-le {name}."
        )
    newest = max(mine, key=lambda path: path.stat().st_mtime)  # the one being worked on
    print(f"checks read from {newest.name} / vérifications lues dans {newest.name}")
    return newest.name
