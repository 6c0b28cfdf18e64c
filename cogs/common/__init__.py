"""Discord-independent helpers shared by every feature cog (errors, clock, text limits)."""
