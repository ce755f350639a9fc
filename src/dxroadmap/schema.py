"""JSON Schemas of the roadmap and plan files, generated from the models, for editors and CI.

Draft-07 (`definitions`, no newer keywords) because yaml-language-server understands it best.
Year-keyed mappings carry `propertyNames` (see `model.YearMap`) so editors flag `X5:` too.
"""

from __future__ import annotations

import json
from typing import Any

from dxroadmap.model import PLAN, ROADMAP

DRAFT = "http://json-schema.org/draft-07/schema#"
BASE = "https://dxroadmap.invalid/schemas/"  # an id, not a place to fetch: nothing is downloaded


def _draft7(schema: dict[str, Any], name: str, title: str) -> dict[str, Any]:
    text = json.dumps(schema, ensure_ascii=False).replace('"#/$defs/', '"#/definitions/')
    out: dict[str, Any] = json.loads(text)
    if "$defs" in out:
        out["definitions"] = out.pop("$defs")
    return {"$schema": DRAFT, "$id": BASE + name, "title": title, **{k: v for k, v in out.items() if k != "title"}}


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, for `schemas/`."""
    return {
        "roadmap.schema.json": _draft7(
            ROADMAP.json_schema(by_alias=True), "roadmap.schema.json", "dxroadmap ロードマップ (roadmap file)"
        ),
        "plan.schema.json": _draft7(PLAN.json_schema(by_alias=True), "plan.schema.json", "dxroadmap 計画 (_plan.yaml)"),
    }


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
