"""DCS portal: a detector control system portal for physics experiment groups."""

__version__ = "0.1.0"
