"""What the source imports share: files copied beside the knowledge, a fingerprint of them, and a
generated file written one record per line (stable, readable diffs)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, Union


def copy_files(folder: Path, target: Path, names: Iterable[str]) -> None:
    """Copy `names` from `folder` into `target` (nothing when they are the same folder)."""
    target.mkdir(parents=True, exist_ok=True)
    if folder.resolve() != target.resolve():
        for name in names:
            shutil.copyfile(folder / name, target / name)


def fingerprint(folder: Union[str, Path], names: Iterable[str]) -> str:
    """Hash of the files an import reads: what it generated is stale when this changes."""
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        digest.update((Path(folder) / name).read_bytes())
    return digest.hexdigest()[:16]


def render(release: Mapping[str, Any], key: str) -> str:
    """The release as JSON: its header on the first line, then one record of `key` per line."""
    records: Sequence[Any] = release[key]
    lines = [json.dumps({k: v for k, v in release.items() if k != key}, ensure_ascii=False)[:-1] + f', "{key}": [']
    lines += [json.dumps(r, ensure_ascii=False, separators=(",", ":")) + ("," if i < len(records) - 1 else "")
              for i, r in enumerate(records)]
    return "\n".join(lines + ["]}", ""])
