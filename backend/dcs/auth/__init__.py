"""Users, groups, roles, browser sessions and API tokens."""
