"""`new`: the text of a new roadmap file, commented, valid, with the schema modeline."""

from __future__ import annotations

import re
import unicodedata

from dxroadmap import fiscal
from dxroadmap.edit import scalar
from dxroadmap.i18n import t
from dxroadmap.problems import StoreError
from dxroadmap.safe import clean

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
