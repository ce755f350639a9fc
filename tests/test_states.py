"""One vocabulary of states and outlooks (issue 14, point 2): `states.State` and `states.Outlook`.

Every map a renderer looks a state up in covers every member; the rules produce members, and so does
the cache when it reads its text back; a value that is not a member fails loudly, never renders as
nothing; JSON and CSV write the values, as the plain strings did; the schema's enums are the members'.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from dxroadmap import i18n, index, model, progress, schema, store
from dxroadmap.i18n import Words
from dxroadmap.progress import FLAGS, LATE, SEVERITY, TARGET_STATES, ProjectStatus, Summary
from dxroadmap.report import html, tables, terminal, xlsx
from dxroadmap.states import OUTLOOK_OF_WORD, Outlook, State
from tests.conftest import AS_OF, EXAMPLES, PROJECT, SEED_ID, Run
from tests.test_history import cli, dated, edit, git

# Every map keyed by a state or an outlook, by the name a failure shows.
STATE_MAPS: dict[str, dict[State, Any]] = {
    "i18n.STATE_WORDS": i18n.STATE_WORDS,
    "tables.MARKS": tables.MARKS,
    "terminal.STYLES": terminal.STYLES,
    "xlsx.FILLS": xlsx.FILLS,
    "xlsx.INKS": xlsx.INKS,
    "html.COLOURS": html.COLOURS,
}
OUTLOOK_MAPS: dict[str, dict[Outlook, Any]] = {"i18n.OUTLOOK_WORDS": i18n.OUTLOOK_WORDS}


@pytest.mark.parametrize("name", STATE_MAPS)
def test_every_state_map_covers_every_member_and_nothing_else(name: str) -> None:
    keyed = STATE_MAPS[name]
    assert set(keyed) == set(State), f"{name}: lacks {set(State) - set(keyed)}, extra {set(keyed) - set(State)}"
    assert all(type(key) is State for key in keyed), f"{name} is keyed by plain text, not by State"


@pytest.mark.parametrize("name", OUTLOOK_MAPS)
def test_every_outlook_map_covers_every_member_and_nothing_else(name: str) -> None:
    keyed = OUTLOOK_MAPS[name]
    assert set(keyed) == set(Outlook) and all(type(key) is Outlook for key in keyed), name


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_state_and_outlook_has_its_word_in_both_languages(lang: str) -> None:
    words = Words(lang)
    for member in [*State, *Outlook]:
        assert words(member) and words(member) == words(member.value)
    assert set(FLAGS) <= set(i18n._WORDS), "every flag has its word"


def test_the_orders_are_derived_from_the_enum() -> None:
    assert tuple(State) == SEVERITY  # worst first, as State declares them
    assert set(TARGET_STATES) == set(State) - {State.UNREPORTED} and len(TARGET_STATES) == len(set(TARGET_STATES))
    assert set(LATE) == {State.MISSED, State.SLIPPING}
    assert progress.worst(TARGET_STATES) is State.MISSED and progress.worst([]) is State.OPEN


def test_outlooks_and_the_words_files_write() -> None:
    assert [o.written for o in Outlook] == ["順調", "注意", "困難"]
    assert {word: o for word, o in OUTLOOK_OF_WORD.items()} == {o.written: o for o in Outlook}
    assert model.OUTLOOKS == OUTLOOK_OF_WORD  # the model reads 見通し into these values


def test_members_are_written_as_their_values() -> None:
    """StrEnum: JSON, CSV and f-strings write `done_late`, never `State.DONE_LATE`: output did not change."""
    document = {State.DONE_LATE: [State.MISSED, Outlook.ON_TRACK]}
    assert json.dumps(document) == '{"done_late": ["missed", "on_track"]}'
    assert json.dumps(document, indent=2, ensure_ascii=False) == json.dumps(
        {"done_late": ["missed", "on_track"]}, indent=2
    )
    out = io.StringIO()
    csv.writer(out).writerow([State.DONE, Outlook.AT_RISK])
    assert out.getvalue() == "done,at_risk\r\n"
    assert f"{State.SLIPPING} {Outlook.OFF_TRACK}" == "slipping off_track"
    assert State.DONE == "done" and hash(State.DONE) == hash("done")  # plain-text keys still find them


# --- what the rules and the cache produce ----------------------------------------------------------------------


def _sample() -> tuple[list[ProjectStatus], store.Portfolio]:
    portfolio = store.load_portfolio(EXAMPLES)
    as_of = date.fromisoformat(AS_OF)
    return [progress.judge(p, portfolio.settings, as_of) for p in portfolio.projects], portfolio


def _produced(statuses: list[ProjectStatus]) -> list[object]:
    found: list[object] = []
    for s in statuses:
        found.append(s.state)
        found += list(s.summary().year_states.values())
        for init in s.initiatives:
            found.append(init.state)
            found += [t.state for t in init.targets]
    found += [item.state for item in progress.slipping_items(statuses, date.fromisoformat(AS_OF))]
    return found


def test_the_rules_produce_members() -> None:
    statuses, _ = _sample()
    produced = _produced(statuses)
    assert produced and all(type(state) is State for state in produced)
    assert {State.MISSED, State.SLIPPING, State.UNREPORTED, State.OPEN, State.DONE} <= set(produced)
    outlooks = [a.outlook for s in statuses for i in s.initiatives for a in i.actuals if a.outlook is not None]
    outlooks += [i.outlook for i in progress.slipping_items(statuses, date.fromisoformat(AS_OF)) if i.outlook]
    assert outlooks and all(type(o) is Outlook for o in outlooks)


def _cached(file: store.RoadmapFile, settings: Any) -> tuple[index.Entry, index.Digest]:
    as_of = date.fromisoformat(AS_OF)
    entry = index.entry(file, settings, as_of, None)
    return entry, index.digest(file, entry, as_of)


def test_the_cache_gives_back_members() -> None:
    portfolio = store.load_portfolio(EXAMPLES)
    files = store.roadmap_files(EXAMPLES, None, [])
    seen: set[State] = set()
    for file in files:
        _, found = _cached(file, portfolio.settings)
        summary = found.summary
        assert isinstance(summary, Summary)
        states = [summary.state, *summary.year_states.values()]
        slips = found.slips()
        states += [item.state for item in slips]
        assert all(type(state) is State for state in states), file.id
        assert all(type(item.outlook) is Outlook for item in slips if item.outlook is not None), file.id
        seen.update(states)
    assert State.UNREPORTED in seen and State.MISSED in seen


@pytest.mark.parametrize("part", ["summary", "year", "slip", "outlook"])
def test_an_unknown_value_in_the_cache_is_a_miss_not_a_silent_render(part: str) -> None:
    portfolio = store.load_portfolio(EXAMPLES)
    file = next(f for f in store.roadmap_files(EXAMPLES, None, []) if "security" in f.id)  # missed, with slips
    entry, _ = _cached(file, portfolio.settings)
    summary, slips = json.loads(entry.summary), json.loads(entry.slips)
    assert slips, "the file has slipping items"
    if part == "summary":
        summary[3] = "stalled"
    elif part == "year":
        summary[6][0][1] = "Done"
    elif part == "slip":
        slips[0][5] = "late"
    else:
        slips[0][8] = "順調"  # the file's word, not the value
    foreign = entry._replace(summary=json.dumps(summary), slips=json.dumps(slips))
    with pytest.raises(ValueError):
        index.digest(file, foreign, date.fromisoformat(AS_OF))


def test_the_renderers_refuse_a_value_that_is_not_a_member() -> None:
    words = Words("en")
    for unknown in ("stalled", "reported", ""):
        with pytest.raises(KeyError):
            tables.mark(unknown)  # type: ignore[arg-type]
        with pytest.raises(KeyError):
            terminal._state(unknown, words)  # type: ignore[arg-type]
        with pytest.raises(KeyError):
            html._state(unknown, words)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        State("stalled")
    assert tables.mark(None) == ""  # no targets in a year: an empty cell, on purpose


# --- totals ----------------------------------------------------------------------------------------------------


def test_one_totals_function_adds_up_projects_and_fields() -> None:
    statuses, _ = _sample()
    whole = progress.totals(statuses)
    assert whole.projects == len(statuses)
    assert whole.counts.total == sum(s.counts.total for s in statuses) == sum(whole.targets.values())
    assert whole.counts.done == sum(s.counts.done for s in statuses)
    assert whole.counts.due == sum(s.counts.due for s in statuses)
    assert list(whole.flags) == list(FLAGS)
    assert whole.flags == {k: sum(s.flags[k] for s in statuses) for k in FLAGS}
    assert sum(whole.states.values()) == len(statuses) and all(type(k) is State for k in whole.states)
    assert whole.counts.share_done == whole.counts.done / whole.counts.total
    # from the table's lines (what the cache keeps) the same, but for the targets they do not carry
    lines = progress.totals([s.summary() for s in statuses])
    assert (lines.projects, lines.counts, lines.flags, lines.states) == (
        whole.projects, whole.counts, whole.flags, whole.states,
    )  # fmt: skip
    assert lines.targets == {}
    fields = progress.totals_by_field(statuses)
    assert list(fields) == list(dict.fromkeys(s.field for s in statuses))
    assert sum(f.projects for f in fields.values()) == whole.projects
    assert sum(f.counts.total for f in fields.values()) == whole.counts.total
    empty = progress.totals([])
    assert (empty.projects, empty.counts.total, empty.flags, empty.counts.share_done) == (0, 0, {}, 0)


# --- the schema ------------------------------------------------------------------------------------------------


def _definitions() -> dict[str, Any]:
    generated: dict[str, Any] = schema.schemas()["portfolio.schema.json"]["definitions"]
    return generated


def test_the_schema_takes_its_enums_from_the_members() -> None:
    found = _definitions()
    assert found["Target"]["properties"]["state"]["enum"] == [s.value for s in TARGET_STATES]
    for name in ("Initiative", "Project", "ExportProject"):
        assert found[name]["properties"]["state"]["enum"] == [s.value for s in SEVERITY], name
    assert set(found["Slip"]["properties"]["state"]["enum"]) == {*LATE, State.UNREPORTED}
    for name in ("Actual", "Slip", "Rating"):
        outlook = found[name]["properties"]["outlook"]["anyOf"]
        assert {"type": "string", "enum": [o.value for o in Outlook]} in outlook, name
    assert found["Flags"]["required"] == list(FLAGS)
    assert found["StateChange"]["required"] == ["initiative", "fiscal_year", "text", "from", "to"]


def test_the_committed_portfolio_schema_is_the_generated_one() -> None:
    committed = (PROJECT / "schemas" / "portfolio.schema.json").read_text(encoding="utf-8")
    assert committed == schema.dumps(schema.schemas()["portfolio.schema.json"]), "run `dxroadmap schema --write`"


def _validator(definition: str | None = None) -> Draft7Validator:
    whole = schema.schemas()["portfolio.schema.json"]
    Draft7Validator.check_schema(whole)
    chosen = (
        whole if definition is None else {"$ref": f"#/definitions/{definition}", "definitions": whole["definitions"]}
    )
    return Draft7Validator(chosen, format_checker=Draft7Validator.FORMAT_CHECKER)


def _errors(validator: Draft7Validator, document: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_status_and_slipping_json_validate_against_the_schema(run: Run, sample_repo: Path) -> None:
    result = run("status", "--format", "json", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    status = _validator("Status")
    assert _errors(status, document) == []
    broken = json.loads(result.stdout)
    broken["projects"][0]["state"] = "stalled"
    assert not status.is_valid(broken)
    result = run("slipping", "--format", "json", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    slip = _validator("Slip")
    assert items and all(_errors(slip, item) == [] for item in items)
    assert not slip.is_valid({**items[0], "state": "open"})  # an open target is never on the list


def test_status_since_and_history_json_validate_against_the_schema(run: Run, seed_repo: Path) -> None:
    """`status --since` adds a `since` object at the top and one per project; `history` lists events."""
    path = seed_repo / "roadmaps" / f"{SEED_ID}.yaml"
    git(seed_repo, "init", "-q", "-b", "main")
    git(seed_repo, "add", "-A")
    git(seed_repo, "commit", "-q", "-m", "c1", env=dated("Alice", "05-01"))
    first = git(seed_repo, "rev-parse", "HEAD").strip()
    edit(path, "      R5: [ニーズ調査]\n", "      R5: [ニーズ調査, ロードマップ作成]\n")  # missed -> done late
    edit(path, "      R7: [ニーズ再調査]\n", "      R8: [ニーズ再調査]\n")  # moved
    git(seed_repo, "commit", "-q", "-am", "c2", env=dated("Bob", "06-01"))
    result = cli(run, seed_repo, "status", "--since", first, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    since = document["projects"][0]["since"]
    assert since["records"] and since["replanned"] and since["state_changes"]
    assert [(c["text"], c["from"], c["to"]) for c in since["state_changes"]] == [
        ("ロードマップ作成", State.MISSED, State.DONE)
    ]
    assert _errors(_validator("Status"), document) == []
    broken = json.loads(result.stdout)
    broken["projects"][0]["since"]["state_changes"][0]["to"] = State.UNREPORTED  # only a target's states
    assert not _validator("Status").is_valid(broken)
    result = cli(run, seed_repo, "history", "--format", "json")
    assert result.exit_code == 0, result.stderr
    events = json.loads(result.stdout)
    event = _validator("Event")
    assert len(events) >= 2 and all(_errors(event, e) == [] for e in events)


def test_export_json_validates_and_holds_every_kind_of_value(run: Run, sample_repo: Path) -> None:
    result = run("export", "--format", "json", "-o", "out.json", "--as-of", AS_OF, cwd=sample_repo)
    assert result.exit_code == 0, result.stderr
    document = json.loads((sample_repo / "out.json").read_text(encoding="utf-8"))
    assert _errors(_validator(), document) == []
    targets = {t["state"] for p in document["projects"] for i in p["initiatives"] for t in i["targets"]}
    assert targets <= {s.value for s in TARGET_STATES} and len(targets) >= 4


def test_a_new_member_would_be_missing_from_the_maps() -> None:
    """The coverage check is not vacuous: a State with one more member is caught."""

    class Bigger(StrEnum):
        DONE = "done"
        PAUSED = "paused"

    assert set(Bigger) - set(tables.MARKS) == {Bigger.PAUSED}
