"""Compile gettext catalogues (.po) to .mo without GNU gettext installed.

`make` calls this for every catalogue under locale/ and locale_overrides/
whose .mo is older than
its .po, so a fresh machine needs nothing beyond Python to speak Russian.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def compile_catalogue(po_path: Path) -> Path:
    catalogue = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    catalogue.save_as_mofile(str(mo_path))
    return mo_path


def main(paths: list[str]) -> int:
    for path in paths:
        print(f"compiled {compile_catalogue(Path(path))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
