"""The bottom layer: errors, the injected clock, Discord's limits and text cleaning, permission
rules and pseudonyms. Pure Python; imports nothing of ``cogs/``, ``db/`` or ``messages/``, and is
imported by all of them."""
