"""The snippet validator: each broken file is caught, named by file and field."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from messages.snippets import (
    BODY_MAX,
    KEYWORDS_MAX,
    POLICY_FILE,
    ContentError,
    Snippet,
    Source,
    Text,
    guild_snippet,
    load_policy,
    load_snippets,
    review_warnings,
    snippet_problems,
    snippet_warnings,
    sources_text,
    validate_snippet_fields,
)

CHECKED = date(2026, 2, 27)
BODY = "A calm, accurate paragraph about a right. " * 15


def valid(snippet_id: str = "remain-silent", kind: str = "rights") -> dict[str, Any]:
    return {
        "id": snippet_id,
        "kind": kind,
        "checked": "2026-02-27",
        "sources": [
            {
                "publication": "ACLU of Minnesota",
                "title": "Know your rights",
                "date": None,
                "url": "https://aclu-mn.org/en/node/1207",
            }
        ],
        "en": {"title": "Your right to remain silent", "body": BODY, "keywords": ["silence"]},
        "es": {"title": "Tu derecho a guardar silencio", "body": BODY, "keywords": ["silencio"]},
    }


def write(root: Path, rel: str, data: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, data: Any, rel: str = "rights/remain-silent.yaml") -> list[str]:
    write(tmp_path, rel, data)
    return snippet_problems(tmp_path)


def changed(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A copy of ``base`` (a valid snippet) with the dotted ``path`` set (or deleted: ...)."""
    data = copy.deepcopy(base or valid())
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[int(last) if isinstance(node, list) else last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


def test_valid_file_loads(tmp_path):
    """A correct file gives no problems and a typed snippet."""
    write(tmp_path, "rights/remain-silent.yaml", valid())
    assert snippet_problems(tmp_path) == []
    [snippet] = load_snippets(tmp_path)
    assert snippet.id == "remain-silent"
    assert snippet.kind == "rights"
    assert snippet.origin == "shipped"
    assert snippet.checked == date(2026, 2, 27)
    assert snippet.sources == (
        Source("ACLU of Minnesota", "Know your rights", None, "https://aclu-mn.org/en/node/1207"),
    )
    assert snippet.texts["es"] == Text("Tu derecho a guardar silencio", BODY.strip(), ("silencio",))
    assert snippet.needs_legal_notice


def test_load_orders_rights_then_history_by_id(tmp_path):
    write(tmp_path, "history/b-event.yaml", valid("b-event", "history"))
    write(tmp_path, "history/a-event.yaml", valid("a-event", "history"))
    write(tmp_path, "rights/z-right.yaml", valid("z-right"))
    assert [s.id for s in load_snippets(tmp_path)] == ["z-right", "a-event", "b-event"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("es", ..., "es: missing"),
        ("en", "just text", "en: must be a mapping"),
        ("es.body", ..., "es.body: missing"),
        ("es.body", "   ", "es.body: missing"),
        ("en.title", "", "en.title: missing"),
        ("en.title", "Two\nlines", "en.title: must be one line"),
        ("en.title", "T" * 201, "en.title: 201 characters, limit 200"),
        ("en.body", "b" * (BODY_MAX + 1), f"en.body: {BODY_MAX + 1} characters, limit {BODY_MAX}"),
        ("en.keywords", ..., "en.keywords: missing"),
        ("en.keywords", "silence", "en.keywords: must be a list"),
        ("en.keywords", [f"k{i}" for i in range(KEYWORDS_MAX + 1)], "en.keywords: 11 keywords"),
        ("en.keywords", ["k" * 41], "en.keywords[0]: 41 characters, limit 40"),
        ("en.keywords", ["ok", ""], "en.keywords[1]: must be non-empty text"),
        ("sources", ..., "sources: missing"),
        ("sources", [], "sources: missing"),
        ("sources.0.publication", ..., "sources[0].publication: missing"),
        ("sources.0.title", " ", "sources[0].title: missing"),
        ("sources.0", "ACLU", "sources[0]: must be a mapping"),
        ("sources.0.date", "last week", "sources[0].date: 'last week' is not a date"),
        ("sources.0.url", "aclu-mn.org", "sources[0].url: must be one https:// address"),
        ("sources.0.url", "http://aclu-mn.org/a", "sources[0].url: must be one https:// address"),
        ("sources.0.url", "https://", "sources[0].url: must be one https:// address"),
        ("sources.0.url", "https://ecases.us/x", "sources[0].url: ecases.us is a mirror"),
        ("id", ..., "id: missing"),
        ("id", "other-id", "id: 'other-id' does not match the file name 'remain-silent.yaml'"),
        ("kind", "history", "kind: 'history' does not match its folder 'rights/'"),
        ("kind", "law", "kind: 'law' must be one of rights, history"),
        ("kind", ..., "kind: missing"),
        ("checked", "2026-02-30", "checked: '2026-02-30' is not a date (YYYY-MM-DD)"),
        ("checked", "Feb 27 2026", "checked: 'Feb 27 2026' is not a date"),
        ("checked", "20260227", "checked: '20260227' is not a date"),
        ("checked", ..., "checked: missing"),
        ("source", [], "source: unknown field (allowed: id, kind, checked, sources, en, es)"),
        ("fr", {"title": "x"}, "fr: unknown field"),
        ("en.titel", "typo", "en.titel: unknown field (allowed: title, body, keywords)"),
        ("sources.0.author", "x", "sources[0].author: unknown field"),
    ],
)
def test_each_problem_is_named_by_file_and_field(tmp_path, path, value, expected):
    """The problem starts with the file, then names the field."""
    problems = problems_for(tmp_path, changed(path, value))
    assert any(p.startswith(f"rights/remain-silent.yaml: {expected}") for p in problems), problems


def test_bad_id_pattern(tmp_path):
    """Uppercase and underscores are rejected even when they match the file name."""
    problems = problems_for(tmp_path, valid("Bad_Id"), rel="rights/Bad_Id.yaml")
    assert problems == [
        "rights/Bad_Id.yaml: id: 'Bad_Id' must be 3-40 characters of a-z, 0-9 and -"
    ]


def test_too_short_and_too_long_ids(tmp_path):
    write(tmp_path, "rights/ab.yaml", valid("ab"))
    write(tmp_path, f"rights/{'a' * 41}.yaml", valid("a" * 41))
    problems = snippet_problems(tmp_path)
    assert len(problems) == 2
    assert all("must be 3-40 characters" in p for p in problems)


def test_duplicate_id_across_folders(tmp_path):
    """The same id in rights/ and history/ is reported with both files."""
    write(tmp_path, "history/same-id.yaml", valid("same-id", "history"))
    write(tmp_path, "rights/same-id.yaml", valid("same-id", "rights"))
    problems = snippet_problems(tmp_path)
    assert problems == [
        "rights/same-id.yaml: id: 'same-id' is also used by history/same-id.yaml",
    ]


def test_embed_over_discord_limits(tmp_path):
    """Many long sources push the rendered embed past 6,000 and the field past 1,024."""
    data = valid()
    data["en"]["title"] = "T" * 200
    data["en"]["body"] = "b" * BODY_MAX
    data["sources"] = [
        {"publication": f"Pub {i}", "title": "t" * 250, "url": f"https://example.org/{i}"}
        for i in range(10)
    ]
    problems = problems_for(tmp_path, data)
    assert any(
        p.startswith("rights/remain-silent.yaml: sources: ") and "embed field holds 1024" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("rights/remain-silent.yaml: en: the embed would have") and "6000" in p
        for p in problems
    ), problems
    assert not any(p.startswith("rights/remain-silent.yaml: es: the embed") for p in problems)


def test_opinion_source_must_be_named(tmp_path):
    """Citing an advocacy publication without naming it in a body is a problem, per language."""
    data = valid()
    data["sources"].append({"publication": "World Socialist Web Site", "title": "An article"})
    data["en"]["body"] = BODY + " According to the WSWS, something happened."
    problems = problems_for(tmp_path, data)
    assert len(problems) == 1
    assert problems[0].startswith(
        "rights/remain-silent.yaml: es.body: cites 'World Socialist Web Site'"
    )


def test_unattributed_item_must_be_named(tmp_path):
    data = valid()
    data["sources"].append({"publication": "unattributed", "title": "URGENT UPDATE…"})
    data["en"]["body"] = BODY + " An unsigned post that begins “URGENT UPDATE” says so."
    data["es"]["body"] = BODY + " Una publicación sin firma (“URGENT UPDATE”) lo dice."
    assert problems_for(tmp_path, data) == []


def test_invalid_yaml_names_the_line(tmp_path):
    text = "id: remain-silent\nkind: rights\nen:\n  title: a: b\n"
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1
    assert problems[0].startswith("rights/remain-silent.yaml: not valid YAML:")
    assert "line 4" in problems[0]


def test_duplicate_yaml_key(tmp_path):
    """Two body: keys would silently keep the last; the validator refuses."""
    text = yaml.safe_dump(valid(), allow_unicode=True) + "id: remain-silent\n"
    problems = problems_for(tmp_path, text)
    assert len(problems) == 1
    assert "duplicate key 'id'" in problems[0]


def test_top_level_must_be_a_mapping(tmp_path):
    problems = problems_for(tmp_path, "- just\n- a list\n")
    assert problems == [
        "rights/remain-silent.yaml: top level must be a mapping "
        "(id:, kind:, checked:, sources:, en:, es:)"
    ]


def test_yes_no_and_numbers_stay_text(tmp_path):
    """Keywords like no or 1968 are kept as text, not turned into False or 1968."""
    data = valid()
    text = yaml.safe_dump(data, allow_unicode=True).replace(
        "- silencio", "- silencio\n  - no\n  - 1968"
    )
    write(tmp_path, "rights/remain-silent.yaml", text)
    [snippet] = load_snippets(tmp_path)
    assert snippet.texts["es"].keywords == ("silencio", "no", "1968")


def test_wrong_extension_and_folder(tmp_path):
    write(tmp_path, "rights/remain-silent.yml", valid())
    write(tmp_path, "remain-silent.yaml", valid())
    write(tmp_path, "laws/remain-silent.yaml", valid())
    assert snippet_problems(tmp_path) == [
        "laws/remain-silent.yaml: snippet files go in rights/ or history/",
        "remain-silent.yaml: snippet files go in rights/ or history/",
        "rights/remain-silent.yml: use the .yaml extension",
    ]


def test_every_problem_is_reported_at_once(tmp_path):
    """Problems in several files and fields all come back, and load raises with all of them."""
    write(tmp_path, "rights/remain-silent.yaml", changed("es.body", ...))
    write(tmp_path, "history/hr-4437.yaml", changed("checked", "soon", valid("hr-4437", "history")))
    problems = snippet_problems(tmp_path)
    assert problems == [
        "history/hr-4437.yaml: checked: 'soon' is not a date (YYYY-MM-DD)",
        "rights/remain-silent.yaml: es.body: missing",
    ]
    with pytest.raises(ContentError) as caught:
        load_snippets(tmp_path)
    assert caught.value.problems == problems
    assert "es.body: missing" in str(caught.value)


def test_sources_text_lines():
    snippet = Snippet(
        id="x-topic",
        kind="history",
        checked=date(2026, 2, 27),
        sources=(
            Source("WSWS", "A [bracketed] title", date(2026, 2, 12), "https://wsws.org/a"),
            Source("unattributed", "URGENT UPDATE…"),
        ),
        texts={"en": Text("T", "B")},
    )
    assert sources_text(snippet) == (
        "• WSWS, [“A \\[bracketed\\] title”](https://wsws.org/a), 2026-02-12\n"
        "• unattributed, “URGENT UPDATE…”"
    )
    assert not snippet.needs_legal_notice


# --- server snippets ---------------------------------------------------------------------------


def test_guild_fields_valid():
    assert validate_snippet_fields("our-lawyer", "Our lawyer", BODY, "Local group", "es") == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"snippet_id": "Our Lawyer"}, "id: 'Our Lawyer' must be 3-40 characters"),
        ({"snippet_id": ""}, "id: missing"),
        ({"title": ""}, "title: missing"),
        ({"title": "x" * 201}, "title: 201 characters, limit 200"),
        ({"body": " "}, "body: missing"),
        ({"body": "b" * (BODY_MAX + 1)}, "body: 3501 characters, limit 3500"),
        ({"source": ""}, "source: missing"),
        ({"source": "two\nlines"}, "source: must be one line"),
        ({"source": "s" * 301}, "source: 301 characters, limit 300"),
        ({"lang": "fr"}, "lang: 'fr' must be one of en, es"),
        ({"kind": "law"}, "kind: 'law' must be one of rights, history"),
        ({"keywords": ["k" * 41]}, "keywords[0]: 41 characters, limit 40"),
        ({"taken_ids": {"our-lawyer"}}, "id: 'our-lawyer' is already used"),
    ],
)
def test_guild_field_problems(kwargs, expected):
    """Modal input is checked with the same rules; problems start with the field name."""
    fields: dict[str, Any] = {
        "snippet_id": "our-lawyer",
        "title": "Our lawyer",
        "body": BODY,
        "source": "Local group",
        "lang": "es",
    }
    fields.update(kwargs)
    problems = validate_snippet_fields(**fields)
    assert any(p.startswith(expected) for p in problems), problems


def test_guild_snippet_built_and_falls_back_to_its_language():
    """A one-language server snippet answers every locale with the text it has."""
    s = guild_snippet(
        "our-lawyer", "rights", "Nuestra abogada", BODY, "Grupo local", "es", checked=CHECKED
    )
    assert s.origin == "guild"
    assert s.needs_legal_notice
    assert s.sources == (Source("Grupo local", ""),)
    assert sources_text(s) == "• Grupo local"
    assert s.text("en").title == "Nuestra abogada"
    assert s.text("es-419") is s.texts["es"]


def test_invalid_guild_fields_give_exactly_their_problem():
    """An empty title is the only problem reported; the builder itself never validates."""
    assert validate_snippet_fields("ok-id", "", BODY, "src", "en", kind="rights") == [
        "title: missing"
    ]


def test_text_falls_back_to_english():
    s = Snippet(
        "two-langs",
        "history",
        date(2026, 2, 27),
        (Source("p", "t"),),
        {"en": Text("English", "b"), "es": Text("Español", "b")},
    )
    assert s.text("es").title == "Español"
    assert s.text("de").title == "English"
    assert s.text("en-GB").title == "English"


def test_snippets_are_hashable():
    """Snippets can be set members and cache keys (texts are left out of the hash)."""
    s = Snippet("a-b", "history", date(2026, 2, 27), (Source("p", "t"),), {"en": Text("t", "b")})
    assert {s, s} == {s}


# --- policy.yaml: sources and reviews -----------------------------------------------------------


def policy(days: object = 30, domains: object = ("ecases.us", "typepad.com")) -> dict[str, Any]:
    data: dict[str, Any] = {"review_interval_days": days, "denied_source_domains": domains}
    if isinstance(domains, tuple):
        data["denied_source_domains"] = list(domains)
    return data


def with_url(url: str) -> dict[str, Any]:
    return changed("sources.0.url", url)


@pytest.mark.parametrize(
    "url",
    [
        "https://ecases.us/case/scotus/1",
        "https://www.ecases.us/case/scotus/1",
        "https://LawProfessors.Typepad.com/conlaw/2017/07/x.html",
    ],
)
def test_a_denied_domain_or_its_subdomain_is_refused(tmp_path, url):
    """The deny-list in the folder's policy.yaml covers the domain and every subdomain."""
    write(tmp_path, POLICY_FILE, policy())
    problems = problems_for(tmp_path, with_url(url))
    assert len(problems) == 1, problems
    assert problems[0].startswith("rights/remain-silent.yaml: sources[0].url: ")
    assert "is a mirror or aggregator (denied_source_domains in policy.yaml)" in problems[0]


@pytest.mark.parametrize(
    "url", ["https://notecases.us/x", "https://ecases.us.example.org/x", "https://aclu-mn.org/"]
)
def test_similar_names_are_not_denied(tmp_path, url):
    write(tmp_path, POLICY_FILE, policy())
    assert problems_for(tmp_path, with_url(url)) == []


def test_the_shipped_policy_applies_to_a_folder_without_its_own(tmp_path):
    """A folder of snippets without policy.yaml is held to the shipped deny-list."""
    problems = problems_for(tmp_path, with_url("https://studylib.net/doc/1/x"))
    assert len(problems) == 1 and "studylib.net is a mirror or aggregator" in problems[0]


def test_policy_file_is_not_a_snippet(tmp_path):
    write(tmp_path, POLICY_FILE, policy())
    write(tmp_path, "rights/remain-silent.yaml", valid())
    assert snippet_problems(tmp_path) == []
    assert [s.id for s in load_snippets(tmp_path)] == ["remain-silent"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (policy(days="soon"), "policy.yaml: review_interval_days: 'soon' must be a whole number"),
        (policy(days=0), "policy.yaml: review_interval_days: 0 must be 1 to 3650"),
        (policy(days=None), "policy.yaml: review_interval_days: missing"),
        (policy(domains=None), "policy.yaml: denied_source_domains: missing"),
        (policy(domains="ecases.us"), "policy.yaml: denied_source_domains: must be a list"),
        (policy(domains=["https://ecases.us"]), "policy.yaml: denied_source_domains[0]: "),
        ({**policy(), "interval": 3}, "policy.yaml: interval: unknown field"),
        (["a list"], "policy.yaml: top level must be a mapping"),
    ],
)
def test_policy_problems_name_the_field(tmp_path, data, expected):
    write(tmp_path, POLICY_FILE, data)
    write(tmp_path, "rights/remain-silent.yaml", valid())
    problems = snippet_problems(tmp_path)
    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(ContentError):
        load_snippets(tmp_path)


def test_load_policy_reads_the_folders_file(tmp_path):
    write(tmp_path, POLICY_FILE, policy(days=45, domains=("x.org",)))
    loaded, problems = load_policy(tmp_path)
    assert problems == []
    assert loaded.review_interval_days == 45
    assert loaded.denied_domains == frozenset({"x.org"})


def snippet_checked(day: date) -> Snippet:
    return Snippet("remain-silent", "rights", day, (Source("p", "t"),), {"en": Text("t", "b")})


def test_fresh_review_gives_no_warning():
    """Checked today, or exactly the interval ago: not due yet."""
    for today in (date(2026, 2, 27), date(2026, 3, 29)):
        assert review_warnings([snippet_checked(CHECKED)], today=today, interval_days=30) == []


def test_overdue_review_warns_with_file_dates_and_interval():
    (warning,) = review_warnings(
        [snippet_checked(CHECKED)], today=date(2026, 3, 30), interval_days=30
    )
    assert warning == (
        "rights/remain-silent.yaml: checked: 2026-02-27 is 31 days ago; facts are re-checked "
        "every 30 days, this review was due 2026-03-29"
    )


def test_a_checked_date_after_today_warns():
    (warning,) = review_warnings(
        [snippet_checked(CHECKED)], today=date(2026, 2, 1), interval_days=30
    )
    assert warning == "rights/remain-silent.yaml: checked: 2026-02-27 is after today (2026-02-01)"


def test_snippet_warnings_use_the_folders_interval_and_the_given_day(tmp_path):
    """Due reviews are warnings, not problems: the content still loads."""
    write(tmp_path, POLICY_FILE, policy(days=30))
    write(tmp_path, "rights/remain-silent.yaml", valid())
    write(
        tmp_path,
        "history/hr-4437.yaml",
        changed("checked", "2026-03-20", valid("hr-4437", "history")),
    )
    assert snippet_warnings(tmp_path, today=date(2026, 3, 29)) == []
    warnings = snippet_warnings(tmp_path, today=date(2026, 4, 10))
    assert [w.split(":")[0] for w in warnings] == ["rights/remain-silent.yaml"]
    assert snippet_problems(tmp_path) == []
    assert len(load_snippets(tmp_path)) == 2


def test_broken_policy_gives_problems_not_warnings(tmp_path):
    write(tmp_path, POLICY_FILE, policy(days="soon"))
    write(tmp_path, "rights/remain-silent.yaml", valid())
    assert snippet_warnings(tmp_path, today=date(2030, 1, 1)) == []
    assert snippet_problems(tmp_path)
