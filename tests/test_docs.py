"""The documents keep up with the code: every setting, every CLI command, the two quick-start commands."""

import argparse
from pathlib import Path

from dcs.cli import build_parser
from dcs.config import documented_settings

ROOT = Path(__file__).resolve().parents[1]


def docs_text():
    return "\n".join(p.read_text() for p in sorted((ROOT / "docs").rglob("*.md")))


def cli_commands(parser=None, prefix="dcs"):
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}"
                yield from cli_commands(sub, f"{prefix} {name}")


def test_every_setting_is_in_the_admin_guide():
    guide = (ROOT / "docs" / "admin-guide.md").read_text()
    missing = [env for env, _, _ in documented_settings() if f"`{env}`" not in guide]
    assert not missing, f"document {missing} in docs/admin-guide.md"


def test_every_cli_command_is_documented():
    text = docs_text()
    commands = list(cli_commands())
    assert "dcs user add" in commands and "dcs token revoke" in commands
    missing = [c for c in commands if c not in text]
    assert not missing, f"document {missing} in docs/"


def test_the_readme_quick_start_is_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make run" in quick_start and "make test" in quick_start
    assert (ROOT / "docs" / "images" / "dashboard.png").is_file()
