"""Operator configuration: clear errors for bad values, the pseudonym key kept stable."""

import stat

import pytest

from bot import ConfigError, load_settings, with_secret

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


def env(tmp_path, **extra):
    return {"WALKOUT_DATA_DIR": str(tmp_path), **extra}


def test_defaults(tmp_path):
    s = load_settings(env(tmp_path))
    assert s.token is None
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'walkout-bot.sqlite3'}"
    assert (s.guild_id, s.api_base, s.gateway_url, s.log_level) == (None, None, None, "INFO")
    assert not (tmp_path / "secret.key").exists()  # nothing written until the bot runs


@pytest.mark.parametrize("token", [None, "", "abc", "a.b.c", "MTIz NDU2.Gab.cde"])
def test_missing_or_malformed_token_is_a_config_error(tmp_path, token):
    extra = {} if token is None else {"DISCORD_TOKEN": token}
    with pytest.raises(ConfigError, match=r"discord\.com/developers/applications"):
        load_settings(env(tmp_path, **extra)).require_token()


def test_well_formed_token_is_accepted(tmp_path):
    assert load_settings(env(tmp_path, DISCORD_TOKEN=TOKEN)).require_token() == TOKEN


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DISCORD_GUILD_ID", "my-server", "DISCORD_GUILD_ID"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("DISCORD_API_BASE", "discord.com/api", "DISCORD_API_BASE"),
        ("DISCORD_GATEWAY_URL", "gateway", "DISCORD_GATEWAY_URL"),
        ("DATABASE_URL", "mysql+aiomysql://db/walkouts", "DATABASE_URL.*'mysql'"),
    ],
)
def test_bad_values_are_named(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(env(tmp_path, **{name: value}))


def test_overrides(tmp_path):
    s = load_settings(
        env(
            tmp_path,
            DISCORD_GUILD_ID="123",
            LOG_LEVEL="debug",
            DISCORD_API_BASE="http://127.0.0.1:9/api/v10/",
            DATABASE_URL="postgresql+asyncpg://u@h/db",
        )
    )
    assert s.guild_id == 123 and s.log_level == "DEBUG"
    assert s.api_base == "http://127.0.0.1:9/api/v10"
    assert s.database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("sqlite:///data/x.sqlite3", "sqlite+aiosqlite:///data/x.sqlite3"),
        ("SQLite+aiosqlite:////abs/x.sqlite3", "sqlite+aiosqlite:////abs/x.sqlite3"),
        ("postgres://u:p@h:5433/db", "postgresql+asyncpg://u:p@h:5433/db"),
        ("postgresql://u@h/db?ssl=require", "postgresql+asyncpg://u@h/db?ssl=require"),
    ],
)
def test_database_urls_get_the_asyncio_driver(tmp_path, given, used):
    assert load_settings(env(tmp_path, DATABASE_URL=given)).database_url == used


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("postgresql+psycopg2://u@h/db", "asyncpg.*'psycopg2'"),
        ("sqlite+pysqlite:///x", "aiosqlite.*'pysqlite'"),
        ("walkouts.sqlite3", "not a database URL"),
    ],
)
def test_other_drivers_are_config_errors(tmp_path, given, message):
    with pytest.raises(ConfigError, match=f"DATABASE_URL.*{message}"):
        load_settings(env(tmp_path, DATABASE_URL=given))


def test_postgresql_without_its_driver_says_how_to_install_it(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "asyncpg" else real(name, *a)
    )
    with pytest.raises(ConfigError, match=r"\.\[postgresql\]"):
        load_settings(env(tmp_path, DATABASE_URL="postgresql://u@h/db"))


def test_secret_is_created_once_private_and_reused(tmp_path):
    first = with_secret(load_settings(env(tmp_path)))
    path = tmp_path / "secret.key"
    assert len(first.secret) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert with_secret(load_settings(env(tmp_path))).secret == first.secret


def test_secret_from_environment_wins(tmp_path):
    s = with_secret(load_settings(env(tmp_path, WALKOUT_SECRET="from-env")))
    assert s.secret == b"from-env"
    assert not (tmp_path / "secret.key").exists()


async def test_bot_refuses_to_start_on_invalid_content_and_names_file_and_field(
    tmp_path, monkeypatch, caplog
):
    """A broken snippet file stops start-up before anything connects, with the file and field."""
    import shutil

    import bot
    import messages.snippets as snippets

    content = tmp_path / "snippets"
    shutil.copytree(snippets.SNIPPETS_DIR, content)
    broken = content / "rights" / "remain-silent.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("\nes:", "\nxx:"), "utf-8")
    real = snippets.snippet_problems
    monkeypatch.setattr(snippets, "snippet_problems", lambda directory=content: real(directory))

    settings = load_settings(env(tmp_path / "data", DISCORD_TOKEN=TOKEN))
    assert await bot.run_bot(settings) == 2
    assert "rights/remain-silent.yaml" in caplog.text
    assert "refusing to start" in caplog.text
    assert not (tmp_path / "data").exists()  # nothing written


def test_shards_and_claim_lease(tmp_path):
    s = load_settings(env(tmp_path))
    assert (s.shard_id, s.shard_count, s.claim_lease) == (None, None, 15.0)
    s = load_settings(
        env(tmp_path, DISCORD_SHARD_ID="1", DISCORD_SHARD_COUNT="4", WALKOUT_CLAIM_LEASE="2.5")
    )
    assert (s.shard_id, s.shard_count, s.claim_lease) == (1, 4, 2.5)


@pytest.mark.parametrize(
    "extra",
    [
        {"DISCORD_SHARD_ID": "1"},
        {"DISCORD_SHARD_COUNT": "2"},
        {"DISCORD_SHARD_ID": "2", "DISCORD_SHARD_COUNT": "2"},
        {"DISCORD_SHARD_ID": "-1", "DISCORD_SHARD_COUNT": "2"},
        {"WALKOUT_CLAIM_LEASE": "soon"},
        {"WALKOUT_CLAIM_LEASE": "0"},
        {"WALKOUT_CLAIM_LEASE": "3600"},
    ],
)
def test_bad_shards_or_lease_are_config_errors(tmp_path, extra):
    with pytest.raises(ConfigError):
        load_settings(env(tmp_path, **extra))


# --- the pseudonym key: versions, and where it lives --------------------------------------------


def test_malformed_versioned_secret_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="WALKOUT_SECRET"):
        load_settings(env(tmp_path, WALKOUT_SECRET="v2:new,v2:again"))
    with pytest.raises(ConfigError, match="WALKOUT_SECRET"):
        load_settings(env(tmp_path, WALKOUT_SECRET="v2:new,plain-old"))


def test_key_file_next_to_the_database_is_flagged(tmp_path, caplog):
    from bot import secret_next_to_database, warn_about_secret

    s = with_secret(load_settings(env(tmp_path)))
    assert secret_next_to_database(s) == tmp_path / "secret.key"
    with caplog.at_level("WARNING", logger="walkout"):
        warn_about_secret(s)
    assert "sits next to the database" in caplog.text
    assert s.secret.decode() not in caplog.text


def test_key_from_the_environment_or_another_folder_is_not_flagged(tmp_path):
    from bot import secret_next_to_database

    from_env = with_secret(load_settings(env(tmp_path, WALKOUT_SECRET="v1:k")))
    assert secret_next_to_database(from_env) is None
    elsewhere = env(tmp_path / "keys", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/db.sqlite3")
    assert secret_next_to_database(with_secret(load_settings(elsewhere))) is None


def test_aiosqlite_never_logs_its_parameters_even_at_debug(monkeypatch):
    """aiosqlite logs each call with its SQL parameters (typed text, ids) at DEBUG."""
    import logging

    from bot import setup_logging

    monkeypatch.setattr(logging.getLogger(), "handlers", [])
    setup_logging("DEBUG")
    assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("discord").isEnabledFor(logging.DEBUG)
