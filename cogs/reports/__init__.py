"""/report and /reports: after-action reports, moderator review and exports."""
