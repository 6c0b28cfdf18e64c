"""/privacy: what the bot keeps about a member, and deleting it."""
