"""The en/es catalogs: validator, lookup, locale mapping."""

from pathlib import Path

import pytest

from messages import catalogs, load_catalogs, normalize_locale, problems, t


def test_shipped_catalogs_are_healthy():
    assert problems(catalogs()) == []


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("es-ES", "es"),
        ("es-419", "es"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr", "en"),
        (None, "en"),
        ("es", "es"),
        ("ES-419", "es"),
    ],
)
def test_normalize_locale(locale, lang):
    assert normalize_locale(locale) == lang


def test_discord_locale_enum_is_mapped():
    import discord

    assert normalize_locale(discord.Locale.spain_spanish) == "es"
    assert normalize_locale(discord.Locale.latin_american_spanish) == "es"
    assert normalize_locale(discord.Locale.american_english) == "en"


def test_lookup_fills_placeholders_in_each_language():
    assert t("walkout.registered", "en", id=3, school="Cass Tech", link="L").startswith(
        "Walkout #3"
    )
    assert t("walkout.registered", "es-419", id=3, school="Cass Tech", link="L").startswith(
        "El walkout #3"
    )


def test_unknown_key_returns_the_key():
    assert t("no.such.key", "es") == "no.such.key"


def _write(tmp_path: Path, en: str, es: str) -> dict:
    for lang, text in (("en", en), ("es", es)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "core.yaml").write_text(text, encoding="utf-8")
    return load_catalogs(tmp_path)


def test_validator_reports_missing_and_extra_keys(tmp_path):
    cats = _write(tmp_path, "a: {b: 'x', c: 'y'}\n", "a: {b: 'x', d: 'z'}\n")
    found = problems(cats)
    assert "es: missing key a.c" in found
    assert "es: key a.d is not in en" in found


def test_validator_reports_placeholder_mismatch_and_empty_text(tmp_path):
    cats = _write(tmp_path, "k: 'Hi {name}'\ne: 'ok'\n", "k: 'Hola {nombre}'\ne: '  '\n")
    found = problems(cats)
    assert any(p.startswith("es: k: placeholders") for p in found)
    assert "es: e: empty text" in found


def test_validator_reports_malformed_placeholder(tmp_path):
    cats = _write(tmp_path, "k: 'Hi {name'\n", "k: 'Hola {name'\n")
    assert any("malformed placeholder" in p for p in problems(cats))


def test_catalog_files_of_one_language_are_merged(tmp_path):
    cats = _write(tmp_path, "a: 'x'\n", "a: 'y'\n")
    (tmp_path / "en" / "more.yaml").write_text("b: 'z'\n", encoding="utf-8")
    (tmp_path / "es" / "more.yaml").write_text("b: 'w'\n", encoding="utf-8")
    cats = load_catalogs(tmp_path)
    assert cats["en"] == {"a": "x", "b": "z"} and cats["es"] == {"a": "y", "b": "w"}


def test_a_key_defined_twice_in_one_language_is_an_error(tmp_path):
    _write(tmp_path, "a: 'x'\n", "a: 'y'\n")
    (tmp_path / "en" / "more.yaml").write_text("a: 'again'\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"already defined in core\.yaml"):
        load_catalogs(tmp_path)
