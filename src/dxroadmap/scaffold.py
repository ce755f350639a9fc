"""`new`: a new roadmap file, commented, valid, with the schema modeline, never over an existing one."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dxroadmap import fiscal
from dxroadmap.edit import scalar
from dxroadmap.i18n import t
from dxroadmap.problems import RequestError, StoreError
from dxroadmap.safe import clean

if TYPE_CHECKING:
    from dxroadmap.settings import Settings

_SEGMENT = re.compile(r"^[^\s/\\:*?\"<>|\x00-\x1f\x7f]+$")


def check_id(project_id: str) -> str:
    """A project id as a relative path without extension, in NFC (the file's name is the id as
    typed); refuses anything that leaves the folder, and a name no output could show as it is
    (bytes that are not UTF-8, control and format characters, non-characters)."""
    text = unicodedata.normalize("NFC", project_id.strip().removesuffix(".yaml").removesuffix(".yml"))
    parts = text.split("/")
    if (
        not text
        or clean(text) != text
        or text.startswith("/")
        or any(not _SEGMENT.match(p) or p in (".", "..") or p.startswith(("_", ".")) for p in parts)
    ):
        raise StoreError(t("new.bad_id", id=project_id))
    return text


def parse_years(text: str) -> list[int]:
    """`R6-R9`, `R6..R9`, `R6〜R9` or a single year."""
    parts = [p for p in re.split(r"\s*(?:\.\.|-|〜|~|–)\s*", fiscal.normalize(text)) if p]
    if not 1 <= len(parts) <= 2:
        raise fiscal.FiscalError(t("new.bad_range", value=repr(text)))
    first, last = fiscal.parse_year(parts[0]), fiscal.parse_year(parts[-1])
    if last < first:
        raise fiscal.FiscalError(t("new.backwards", value=repr(text)))
    return list(range(first, last + 1))


def roadmap_text(*, schema: str, field: str, name: str, owner: str, initiative: str, years: list[int]) -> str:
    lines = [
        f"# yaml-language-server: $schema={schema}",
        "# ロードマップ(1事業1ファイル)。書式は README の「A roadmap file」を参照。",
        f"政策分野: {scalar(field)}",
        f"事業名: {scalar(name)}",
        f"担当課: {scalar(owner)}",
        "# 概要: 事業の目的と内容を1行で(任意)",
        "# 取組方針: [分野の取組方針から]",
        "取組:",
        f"  - 名称: {scalar(initiative)}",
        "    # 年度ごとの目標: 文字列、{内容: …, 期限: Q2}、または {指標: …, 目標値: 10, 単位: …, 基準値: 0}",
        "    # 実績は四半期ごとに `dxroadmap record` で追記します",
        "    目標:",
        *(f"      {fiscal.label(y)}: []" for y in years),
    ]
    return "\n".join(lines) + "\n"


def place(root: Path, project_id: str) -> Path:
    """Where the new project `project_id` goes under `root`; refused when the id is taken by any name
    (`.yml`, another Unicode normalisation of it: an NFD name from a Mac) or the place leads elsewhere."""
    import os

    from dxroadmap import store

    pid = check_id(project_id)
    path = root / f"{pid}.yaml"
    store.check_inside(root, path)  # a linked folder or a dangling link may lead elsewhere
    taken = [p for p in store.project_files(root) if store.project_id(root, p) == pid]
    if taken or os.path.lexists(path) or os.path.lexists(path.with_suffix(".yml")):
        raise StoreError(t("store.exists", path=store.display_path(taken[0] if taken else path)))
    return path


def default_years(settings: Settings, as_of: date) -> list[int]:
    """The plan's years from this one (all of them once it has ended); without a plan period, four from this one."""
    this = settings.calendar.year_of(as_of)
    if settings.period is not None:
        start, end = settings.period
        return list(range(max(start, this), end + 1)) or list(range(start, end + 1))
    return list(range(this, this + 4))


def create(
    root: Path, path: Path, settings: Settings, *, field: str, name: str, owner: str, initiative: str,
    years: str | None, as_of: date,
) -> None:  # fmt: skip
    """Write the new roadmap at `path` (never over an existing file), after checking it as any file is checked."""
    import os

    from dxroadmap import store
    from dxroadmap.model import field_name

    if settings.fields and field_name(field) not in settings.fields:
        raise StoreError(t("new.unknown_field", field=field, fields=", ".join(settings.fields)))
    try:
        span = parse_years(years) if years else default_years(settings, as_of)
    except fiscal.FiscalError as exc:
        raise RequestError("--years", str(exc)) from None
    schema = os.path.relpath(root.resolve().parent / "schemas" / "roadmap.schema.json", path.resolve().parent)
    text = roadmap_text(
        schema=Path(schema).as_posix(), field=field, name=name, owner=owner, initiative=initiative, years=span
    )
    roadmap, problems = store.parse_roadmap(text, store.display_path(path), settings)
    if roadmap is None:
        raise StoreError(t("new.invalid", problem=problems[0]))
    path.parent.mkdir(parents=True, exist_ok=True)
    store.write_file(path, text.encode("utf-8"), exclusive=True)
