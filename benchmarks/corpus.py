"""Realistic, fictional roadmap corpora for the benchmarks (DESIGN.md §3 format).

`roadmap(rng, i)` builds one project as data; `render(data)` writes it as a roadmap file in
the style people write by hand (comments, flow lists for targets, block entries for actuals).
"""

from __future__ import annotations

import random
from typing import Any

FIELDS = {
    "産業・しごと": ["農林水産業のDX", "観光業のDX", "建設業のDX", "商工業のDX", "働き方のDX"],
    "暮らし・まち": ["医療・福祉のDX", "子育てのDX", "教育のDX", "地域交通のDX", "防災・防犯のDX", "環境のDX"],
    "行政経営": ["住民の利便性の向上", "データの利活用", "情報セキュリティの強化", "自治体業務のDX化"],
}
VERBS = ["ニーズ調査", "要件定義", "実証実験", "本格導入", "効果検証", "研修会の開催", "ガイドライン策定", "横展開"]
SUBJECTS = ["オンライン申請", "スマート農業", "遠隔医療", "デマンド交通", "電子契約", "オープンデータ", "GIS", "AI-OCR"]
KPIS = [("導入市町村数", "市町村"), ("オンライン化手続数", "件"), ("研修受講者数", "人"), ("利用者数", "人")]
YEARS = ["R5", "R6", "R7", "R8", "R9"]

PLAN = """# 架空の計画(ベンチマーク用)
計画名: ベンチマーク用DX推進計画
期間: {開始: R5, 終了: R9}
年度開始月: 4
報告期限日数: 30
分野:
  - 名称: 産業・しごと
    取組方針: [農林水産業のDX, 観光業のDX, 建設業のDX, 商工業のDX, 働き方のDX]
  - 名称: 暮らし・まち
    取組方針: [医療・福祉のDX, 子育てのDX, 教育のDX, 地域交通のDX, 防災・防犯のDX, 環境のDX, デジタル・デバイド]
  - 名称: 行政経営
    取組方針: [住民の利便性の向上, データの利活用, 情報セキュリティの強化, 自治体業務のDX化]
会議:
  - {名称: 第1回推進本部会議, 日付: 2026-05-20}
  - {名称: 第2回推進本部会議, 日付: 2026-08-20}
  - {名称: 第3回推進本部会議, 日付: 2026-11-30}
"""


def roadmap(rng: random.Random, number: int) -> dict[str, Any]:
    field = rng.choice(list(FIELDS))
    subject = rng.choice(SUBJECTS)
    initiatives = []
    for k in range(rng.randint(3, 4)):
        targets: dict[str, list[Any]] = {}
        actuals: dict[str, list[Any]] = {}
        kpi = rng.choice(KPIS) if rng.random() < 0.3 else None
        for y, year in enumerate(YEARS):
            items: list[Any] = [v for v in rng.sample(VERBS, rng.randint(1, 2))]
            if kpi:
                items.append({"指標": kpi[0], "目標値": 10 * (y + 1), "単位": kpi[1], "基準値": 0})
            targets[year] = items
            if 2 <= y <= 3:
                done = [t for t in items if isinstance(t, str) and rng.random() < 0.7]
                entries: list[Any] = []
                for q in (2, 4) if y < 3 else (2,):
                    entry: dict[str, Any] = {"四半期": f"Q{q}", "内容": f"第{q}四半期の取組を実施"}
                    if done:
                        entry["達成"] = [done.pop()]
                    if kpi and q == 2:
                        entry["指標"], entry["値"] = kpi[0], 10 * y + rng.randint(0, 12)
                    if rng.random() < 0.1:
                        entry["理由"], entry["見通し"] = (
                            "関係機関との調整に時間を要した",
                            rng.choice(["順調", "注意", "困難"]),
                        )
                    entries.append(entry)
                actuals[year] = entries
        initiatives.append({"名称": f"{subject}の推進({k + 1})", "目標": targets, "実績": actuals})
    return {
        "政策分野": field,
        "事業名": f"{subject}による{rng.choice(FIELDS[field])}推進事業 第{number}号",
        "担当課": f"{rng.choice(['企画政策部', '総務部', '農林水産部', '健康福祉部'])}DX推進課",
        "概要": f"{subject}を活用して{field}分野の課題解決を図る。",
        "取組方針": [rng.choice(FIELDS[field])],
        "取組": initiatives,
    }


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def render(data: dict[str, Any]) -> str:
    lines = ["# yaml-language-server: $schema=../schemas/roadmap.schema.json", "# 架空の事業(ベンチマーク用)"]
    for key in ("政策分野", "事業名", "担当課", "概要"):
        lines.append(f"{key}: {data[key]}")
    lines.append(f"取組方針: {_flow(data['取組方針'])}")
    lines.append("取組:")
    for init in data["取組"]:
        lines.append(f"  - 名称: {init['名称']}")
        lines.append("    目標:")
        lines += [f"      {year}: {_flow(items)}" for year, items in init["目標"].items()]
        if init["実績"]:
            lines.append("    実績:")
            for year, entries in init["実績"].items():
                lines.append(f"      {year}:")
                for entry in entries:
                    pairs = list(entry.items())
                    lines.append(f"        - {pairs[0][0]}: {_flow(pairs[0][1])}")
                    lines += [f"          {k}: {_flow(v)}" for k, v in pairs[1:]]
        lines.append("")
    return "\n".join(lines)


def corpus(count: int, seed: int = 2026) -> dict[str, str]:
    """`count` roadmap files by relative path (spread over one folder per field)."""
    rng = random.Random(seed)
    folders = {"産業・しごと": "sangyo", "暮らし・まち": "kurashi", "行政経営": "gyosei"}
    files = {}
    for i in range(count):
        data = roadmap(rng, i)
        files[f"{folders[data['政策分野']]}/p{i:05d}.yaml"] = render(data).replace("../schemas", "../../schemas")
    return files
