"""The two ways of reading YAML agree: libyaml's composer (fast) and the event builder (exact).

The fast path must give the same data, the same types and the same positions as the event
builder for every file it accepts; everything else falls back to the event builder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxroadmap import source
from tests.conftest import EXAMPLES, PROJECT, ROADMAPS, SAMPLE_FILES, SEED_FILES, SHIPPED, fuzz_settings

sys.path.insert(0, str(PROJECT / "benchmarks"))
from corpus import corpus


def slow(text: str) -> source.Document:
    original = source._CLoader
    source._CLoader = None  # type: ignore[assignment]
    try:
        return source.load(text, "f.yaml")
    finally:
        source._CLoader = original


def typed(value: Any) -> Any:
    """The value with its types spelled out, so that 1, 1.0 and True differ."""
    if isinstance(value, dict):
        return {(type(k).__name__, k): typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


def assert_same(text: str) -> None:
    fast = source._fast_load(text, "f.yaml")
    assert fast is not None, "the fast path declined a plain file"
    exact = slow(text)
    assert typed(fast.data) == typed(exact.data)
    assert fast.positions.values == exact.positions.values
    assert fast.positions.keys == exact.positions.keys
    assert fast.positions.ends == exact.positions.ends
    assert fast.positions.flow == exact.positions.flow


def test_the_named_shipped_files_are_those_git_tracks() -> None:
    """conftest names the shipped roadmaps (so that no test sees a file a user added): the names must not go stale."""
    if not (PROJECT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "-C", str(PROJECT), "ls-files", "-z", "--", "roadmaps", "examples/roadmaps"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    tracked = {name for name in listed.split("\0") if name.endswith((".yaml", ".yml"))}
    named = {f"roadmaps/{n}" for n in SEED_FILES} | {f"examples/roadmaps/{n}" for n in SAMPLE_FILES}
    assert named == tracked
    assert {(ROADMAPS / n).relative_to(PROJECT).as_posix() for n in SEED_FILES} | {
        (EXAMPLES / n).relative_to(PROJECT).as_posix() for n in SAMPLE_FILES
    } == {p.relative_to(PROJECT).as_posix() for p in SHIPPED}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_files_read_the_same_both_ways(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8"))


def test_the_benchmark_corpus_reads_the_same_both_ways() -> None:
    for text in corpus(60).values():
        assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2024-04-01\ng: '2024-04-01'\nh: yes\ni: 010\nj: 0x1F\nk: .inf\n",
        "a: |\n  literal\n  text\n\nb: >-\n  folded\n  text\nc: end\n",
        "a:\n- x\n- y\nb:\n  - {k: v, n: [1, 2]}\n  - 'q'\n",
        "a: 'it''s'\nb: \"\\u202e\\t\"\nc: 2023\n2024: year\n",
        "# comment\n\na: b  # trailing\n\n\nc:\n  d: e\n",
        "a: b\r\nc:\r\n  - d\r\n",
        "a: []\nb: {}\nc:\nd: ''\n",
        "a: 2024-04-01 10:30:00\nb: -1\nc: +2\nd: 1_000\n",
    ],
)
def test_layouts_read_the_same_both_ways(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!python/object:os.system x\n",  # tags
        "a: 1\na: 2\n",  # duplicate keys
        "a: [\n",  # malformed
        "a: " + "[" * 500 + "]" * 500 + "\n",  # deep flow nesting
        "a: 1\n---\nb: 2\n",  # two documents
        "? [a]\n: b\n",  # a complex key
        "",
    ],
)
def test_anything_unusual_takes_the_exact_path(text: str) -> None:
    assert source._fast_load(text, "f.yaml") is None


scalars = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.none(),
    st.dates(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
)
documents = st.recursive(
    st.dictionaries(
        st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=6), scalars, max_size=4
    ),
    lambda children: st.dictionaries(
        st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=6),
        st.one_of(scalars, children, st.lists(st.one_of(scalars, children), max_size=3)),
        min_size=1,
        max_size=4,
    ),
    max_leaves=12,
)


@fuzz_settings(share=2)
@given(documents, st.booleans())
def test_generated_documents_read_the_same_both_ways(document: dict[str, Any], flow: bool) -> None:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = flow
    yaml.width = 4096
    import io

    out = io.StringIO()
    yaml.dump(document, out)
    text = out.getvalue()
    if any(c in text for c in "&*!"):
        return  # such text is never read by the fast path
    fast = source._fast_load(text, "f.yaml")
    if fast is None:
        return
    try:
        slow(text)
    except source.SourceError:
        # ruamel.yaml.clib's older libyaml refuses a few plain scalars that YAML 1.2 and PyYAML's
        # libyaml accept (`{a: 0:0}`): the fast path is the more permissive, never the less
        return
    assert_same(text)
