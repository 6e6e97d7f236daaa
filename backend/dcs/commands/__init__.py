"""Command modules: the plugin API, the runner, text-utility helpers and the built-in SiPM module."""
