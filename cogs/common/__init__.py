"""Discord glue shared by every feature cog: interactions and errors, the command translator,
the per-server settings cache and the services object the cogs receive."""
