"""Device types and devices (the topology grows here: connections, placements, aliases)."""
