"""Feature packages: each has a thin ``cog.py`` over pure, separately tested modules."""

EXTENSIONS: tuple[str, ...] = (
    "cogs.setup",
    "cogs.walkouts",
    "cogs.actions",
    "cogs.snippets",
    "cogs.reminders",
    "cogs.reports",
    "cogs.privacy",
)
