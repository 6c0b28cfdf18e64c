"""Session-wide: the header line saying which databases the integration tests run on (a hook
pytest only reads from the top conftest; the fixtures are in integration/conftest.py)."""

import os

from sqlalchemy.engine import make_url


def pytest_report_header() -> str:
    url = os.environ.get("WALKOUT_TEST_POSTGRES_URL", "").strip()
    if not url:
        return "integration backends: sqlite (WALKOUT_TEST_POSTGRES_URL unset: no postgresql)"
    shown = make_url(url).render_as_string(hide_password=True)
    return f"integration backends: sqlite, postgresql ({shown})"
