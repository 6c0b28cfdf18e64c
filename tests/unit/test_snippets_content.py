"""Shipped rights and history snippets: they load, cover the issue's topics, follow the rules."""

from __future__ import annotations

import re
from datetime import date

import pytest

from messages import LANGS
from messages.snippets import (
    ADVOCACY_PUBLICATIONS,
    BODY_AIM,
    SNIPPETS_DIR,
    Snippet,
    load_policy,
    load_snippets,
    shipped_snippets,
    snippet_problems,
)

# Issue 3's required topics -> the snippet ids that cover them.
REQUIRED_TOPICS = {
    "2006 HR 4437 walkouts": ("history", "hr-4437-walkouts-2006"),
    "January 30 2026 national walkouts": ("history", "national-walkouts-jan-30-2026"),
    "Michigan walkouts": ("history", "michigan-walkouts-2026"),
    "Hazel Park arrests": ("history", "hazel-park-amazon-arrests"),
    "Minneapolis drawdown": ("history", "minneapolis-drawdown"),
    "February 13 call to action": ("history", "feb-13-call-to-action"),
    "February 13 steps": ("history", "feb-13-walkout-steps"),
    "school discipline (Woodbridge)": ("history", "school-discipline-woodbridge"),
    "school discipline rules": ("rights", "walkouts-and-school-discipline"),
    "Ann Arbor and Washtenaw warrant rules": ("history", "ann-arbor-washtenaw-warrant-rules"),
    "end of sensitive locations": ("history", "sensitive-locations-policy-ended"),
    "287(g)": ("history", "287g-agreements"),
    "chants": ("history", "walkout-chants"),
    "remaining silent": ("rights", "remain-silent"),
    "warrants": ("rights", "judicial-vs-administrative-warrants"),
    "not signing": ("rights", "dont-sign"),
    "stopped on the street": ("rights", "stopped-on-the-street"),
    "stopped in a car": ("rights", "stopped-in-a-car"),
    "Tinker": ("rights", "free-speech-at-school"),
    "Plyler": ("rights", "right-to-public-school"),
    "FERPA": ("rights", "school-records-ferpa"),
    "recording police": ("rights", "recording-police"),
    "phone and data safety": ("rights", "phone-safety-at-protests"),
    # Issue 9 (content review): topics organizers need.
    "arrest and immigration consequences": ("rights", "arrest-immigration-consequences"),
    "carrying papers at 18+": ("rights", "carrying-papers-18-plus"),
    "ICE at school": ("rights", "ice-at-school"),
    "hotlines and emergency contacts": ("rights", "hotlines-and-emergency-contacts"),
    "what schools can do on walkout day": ("rights", "walkout-day-school-rules"),
    "protest safety basics": ("rights", "protest-safety-basics"),
    "school devices can be monitored": ("rights", "school-devices-monitoring"),
}

# The brief's Spanish legal terms, each used somewhere in the Spanish text.
SPANISH_TERMS = (
    "orden judicial",
    "orden administrativa",
    "derecho a guardar silencio",
    "no firme nada",
    "¿Tengo la libertad de irme?",
    "negarse a dar su consentimiento",
    "tarjeta roja",
    "Cuarta y la Quinta Enmienda",
    "Estatus de Protección Temporal (TPS)",
    "plan familiar de emergencia",
    "fianza",
)

FOOTER_EN = "General information, not legal advice"


@pytest.fixture(scope="module")
def snippets() -> list[Snippet]:
    return load_snippets()


@pytest.fixture(scope="module")
def by_id(snippets: list[Snippet]) -> dict[str, Snippet]:
    return {s.id: s for s in snippets}


def test_shipped_content_has_no_problems():
    """The validator finds nothing wrong with the shipped files."""
    assert snippet_problems() == []


def test_shipped_snippets_is_cached_and_matches_load(snippets):
    """shipped_snippets() returns the same content as load_snippets(), loaded once."""
    assert shipped_snippets() is shipped_snippets()
    assert list(shipped_snippets()) == snippets


def test_counts_per_kind(snippets):
    """At least 12 rights and 10 history topics."""
    kinds = [s.kind for s in snippets]
    assert kinds.count("rights") >= 12
    assert kinds.count("history") >= 10


@pytest.mark.parametrize("topic", sorted(REQUIRED_TOPICS))
def test_required_topic_present(topic, by_id):
    """Every topic the issue lists has a snippet of the right kind."""
    kind, snippet_id = REQUIRED_TOPICS[topic]
    assert snippet_id in by_id, topic
    assert by_id[snippet_id].kind == kind


def test_every_snippet_has_both_languages(snippets):
    """en and es each have a title, a body and keywords."""
    for s in snippets:
        assert set(s.texts) == set(LANGS), s.id
        for lang in LANGS:
            text = s.texts[lang]
            assert text.title and text.body and text.keywords, (s.id, lang)


def test_bodies_within_the_aim(snippets):
    """Bodies are 500-1,500 characters in each language, comfortable in an embed."""
    low, high = BODY_AIM
    for s in snippets:
        for lang, text in s.texts.items():
            assert low <= len(text.body) <= high, (s.id, lang, len(text.body))


def test_files_are_where_their_kind_says(snippets):
    """Each snippet sits in <kind>/<id>.yaml."""
    for s in snippets:
        assert (SNIPPETS_DIR / s.kind / f"{s.id}.yaml").is_file()


def test_rights_carry_the_legal_notice_as_data(snippets):
    """Rights need the footer (kind == rights); the footer is not pasted into bodies."""
    for s in snippets:
        assert s.needs_legal_notice is (s.kind == "rights")
        for text in s.texts.values():
            assert FOOTER_EN.lower() not in text.body.lower(), s.id


def test_checked_dates_are_current(snippets):
    """Facts were checked against the late-February 2026 brief."""
    for s in snippets:
        assert date(2026, 2, 1) <= s.checked <= date(2026, 12, 31), s.id


def test_every_snippet_has_a_source_with_publication_and_title(snippets):
    for s in snippets:
        assert s.sources, s.id
        for source in s.sources:
            assert source.publication and source.title, s.id


@pytest.mark.parametrize("term", SPANISH_TERMS)
def test_spanish_uses_the_briefs_legal_terms(term, snippets):
    """The brief's Spanish terms appear in the Spanish text."""
    assert any(term.lower() in s.texts["es"].body.lower() for s in snippets), term


def test_seed_documents_cited_as_the_brief_gives_them(snippets):
    """The five documents are cited by the brief's headline and date."""
    expected = {
        "Detroit area student walkouts declare, “ICE are the criminals, not us”": (
            "World Socialist Web Site",
            date(2026, 2, 12),
        ),
        "Two Amazon Flex workers were arrested in ICE raid in Hazel Park, Michigan": (
            "World Socialist Web Site",
            date(2026, 2, 11),
        ),
        "Walk out and turn up the heat on ICE": ("Dare to Struggle", date(2026, 1, 27)),
        "URGENT UPDATE: Nationwide student walkouts are erupting across the United States…": (
            "unattributed",
            None,
        ),
        "Oppose the persecution of high school students protesting ICE! Mobilize the working "
        "class against dictatorship!": (
            "International Youth and Students for Social Equality (US)",
            date(2026, 2, 23),
        ),
    }
    cited = {src.title: (src.publication, src.date) for s in snippets for src in s.sources}
    for title, publication_and_date in expected.items():
        assert cited.get(title) == publication_and_date, title


def test_opinion_sources_are_named_in_every_language(snippets):
    """Claims from advocacy publications are attributed in the text (en and es)."""
    for s in snippets:
        for source in s.sources:
            names = ADVOCACY_PUBLICATIONS.get(source.publication)
            if not names:
                continue
            for lang, text in s.texts.items():
                assert any(n.lower() in text.body.lower() for n in names), (s.id, lang)


def test_brief_corrections_followed(by_id):
    """303 suspensions (323 only as the IYSSE's figure); Bovino, not the CBP head, left."""
    for snippet_id in ("school-discipline-woodbridge", "walkouts-and-school-discipline"):
        for text in by_id[snippet_id].texts.values():
            assert "303" in text.body
            for sentence in re.split(r"(?<=[.)])\s", text.body):
                if "323" in sentence:
                    assert "IYSSE" in sentence
    for text in by_id["minneapolis-drawdown"].texts.values():
        assert "Bovino" in text.body
        assert "URGENT UPDATE" in text.body  # the CBP claim is attributed and corrected


@pytest.mark.parametrize(
    "snippet_id", ["judicial-vs-administrative-warrants", "if-ice-comes-to-the-door"]
)
def test_door_advice_does_not_overpromise(snippet_id, by_id):
    """Door and warrant topics mention the 2025 ICE memo on forced entry with an I-205."""
    for text in by_id[snippet_id].texts.values():
        assert "I-205" in text.body
        assert "2025" in text.body


@pytest.mark.parametrize(
    "snippet_id", ["recording-police", "phone-safety-at-protests", "feb-13-walkout-steps"]
)
def test_posting_warns_that_photos_identify_minors(snippet_id, by_id):
    snippet = by_id[snippet_id]
    assert "minors" in snippet.texts["en"].body
    assert "menores" in snippet.texts["es"].body


def test_locale_fallback_on_shipped_content(by_id):
    """Discord locales map to a language; unknown ones fall back to English."""
    s = by_id["remain-silent"]
    assert s.text("es-419") is s.texts["es"]
    assert s.text("es-ES") is s.texts["es"]
    assert s.text("fr") is s.texts["en"]
    assert s.text(None) is s.texts["en"]


# --- issue 9: advice that could put a noncitizen student in danger -----------------------------


def both(snippet: Snippet) -> list[str]:
    return [snippet.texts[lang].body for lang in LANGS]


def test_arrest_topics_say_an_arrest_alone_can_lead_to_ice(by_id):
    """Not only "see a lawyer before pleading guilty": booking, detainers, the Laken Riley Act."""
    topic = by_id["arrest-immigration-consequences"]
    for body in both(topic):
        assert "Laken Riley" in body
        assert "287(g)" in body
        assert "Quakertown" in body
    assert "congress.gov" in " ".join(src.url or "" for src in topic.sources)
    for snippet_id in (
        "arrested-at-a-protest",
        "school-discipline-woodbridge",
        "feb-13-walkout-steps",
    ):
        en, es = both(by_id[snippet_id])
        assert "Arrests and immigration" in en, snippet_id
        assert "Arrestos e inmigración" in es, snippet_id


def test_parent_is_not_a_lawyer(by_id):
    """Asking for a parent does not stop questioning; asking for a lawyer does (Fare, 1979)."""
    for snippet_id in ("arrested-at-a-protest", "remain-silent"):
        for body in both(by_id[snippet_id]):
            assert "Fare v. Michael C." in body, snippet_id


def test_dont_sign_is_about_immigration_papers_and_tickets_are_the_exception(by_id):
    en, es = both(by_id["dont-sign"])
    assert "Immigration agents or police" not in en
    assert "ticket" in en and "multa" in es
    assert by_id["dont-sign"].texts["en"].title == "Don't sign immigration papers without a lawyer"
    car_en, car_es = both(by_id["stopped-in-a-car"])
    assert "ticket, sign it" in car_en and "multa, fírmala" in car_es


def test_silence_about_birthplace_carries_the_aclu_caveats(by_id):
    """Borders, airports, some visas; noncitizens 18+ carry papers (the registration rule)."""
    for snippet_id in ("remain-silent", "stopped-on-the-street"):
        en, es = both(by_id[snippet_id])
        assert "airports" in en and "18 or older" in en, snippet_id
        assert "aeropuertos" in es and "18 años o más" in es, snippet_id
    for body in both(by_id["carrying-papers-18-plus"]):
        assert "April 11, 2025" in body or "11 de abril de 2025" in body
        assert "G-325R" in body


def test_school_searches_need_only_reasonable_suspicion(by_id):
    for body in both(by_id["everyone-has-rights"]):
        assert "T.L.O." in body


def test_woodbridge_figure_is_the_districts_not_local_tv(by_id):
    """The 303 comes from the district, as a local report (InsideNoVa) quotes it."""
    for snippet_id in ("school-discipline-woodbridge", "walkouts-and-school-discipline"):
        snippet = by_id[snippet_id]
        en, es = both(snippet)
        assert "InsideNoVa" in en and "InsideNoVa" in es
        assert "Local TV" not in en and "televisión local" not in es
        assert any("InsideNoVa" in src.publication for src in snippet.sources)


# --- issue 9: the other corrections --------------------------------------------------------------


def test_protected_areas_history_and_protests(by_id):
    """Playgrounds and bus stops are the 2021 memo's; both memos covered demonstrations."""
    en, es = both(by_id["sensitive-locations-policy-ended"])
    assert "Since 2011" not in en and "Desde 2011" not in es
    assert "2021 DHS memo" in en and "playgrounds" in en and "demonstrations" in en
    assert "no longer a protected area" in en
    assert "ya no son un área protegida" in es


def test_red_card_wording(by_id):
    en, es = both(by_id["red-cards"])
    assert "signed by a judge" in en and "firmada por un juez" in es
    assert "orden válida" not in es
    assert "free to download" in en
    urls = {src.url for src in by_id["red-cards"].sources}
    assert "https://www.ilrc.org/red-cards-tarjetas-rojas" in urls


def test_nothing_left_marked_not_checked(by_id):
    """'Was not checked' is replaced by what can be checked (Michigan's code, Plyler's status)."""
    for snippet_id in ("arrested-at-a-protest", "right-to-public-school"):
        en, es = both(by_id[snippet_id])
        assert "not checked" not in en and "no se verific" not in es, snippet_id
    assert "MCL 712A.14" in both(by_id["arrested-at-a-protest"])[0]
    assert "binding federal law" in both(by_id["right-to-public-school"])[0]


def test_recording_lists_the_fourth_circuit(by_id):
    en, es = both(by_id["recording-police"])
    assert "4th Circuit" in en and "Sharpe" in en
    assert "4.º Circuito" in es and "Sharpe" in es


def test_spanish_wording_fixes(by_id):
    assert "cerró sus escuelas" not in by_id["hr-4437-walkouts-2006"].texts["es"].body
    assert "lockdown" in by_id["hr-4437-walkouts-2006"].texts["es"].body
    assert by_id["stopped-on-the-street"].texts["es"].title == "Si te paran en la calle"
    car = by_id["stopped-in-a-car"].texts["es"].body
    assert "registro del vehículo" in car and "revisión" in car


# --- issue 9: the new topics say the things organizers need ------------------------------------


def test_new_topics_cover_what_the_issue_asks(by_id):
    en, es = both(by_id["ice-at-school"])
    assert "Non-public areas" in en and "signed by a judge" in en and "AB 49" in en
    assert "áreas no públicas" in es and "firmada por un juez" in es
    en, es = both(by_id["hotlines-and-emergency-contacts"])
    assert "locator.ice.gov" in en and "under 18" in en and "A-number" in en
    assert "locator.ice.gov" in es and "menores de 18" in es and "número A" in es
    en, _ = both(by_id["walkout-day-school-rules"])
    for point in ("Lockdowns", "T.L.O.", "Riley v. California", "J.D.B."):
        assert point in en
    en, _ = both(by_id["protest-safety-basics"])
    for point in ("buddy", "sidewalk", "disperse", "Legal observers", "trusted adult"):
        assert point in en
    en, es = both(by_id["school-devices-monitoring"])
    assert "your own phone" in en and "tu propio celular" in es


# --- issue 9: the validator's rules, as the shipped content states them ------------------------


def test_shipped_policy_states_an_interval_and_denies_the_mirrors_the_review_found():
    policy, problems = load_policy()
    assert problems == []
    assert policy.review_interval_days is not None
    assert 30 <= policy.review_interval_days <= 365
    for domain in ("ecases.us", "studylib.net", "azbilingualed.org", "typepad.com"):
        assert domain in policy.denied_domains


def test_every_shipped_source_link_is_https(snippets):
    for s in snippets:
        for source in s.sources:
            assert source.url is None or source.url.startswith("https://"), (s.id, source.url)
