"""Configuration documents and versions, recipes and approved configuration sets."""
