"""Work-spaces: the repository, experiment work-spaces and private sandboxes, and where their files live.

    repository                  <calib_dir>/<dettype>/<detname>.h5
    experiment:<exp>            <calib_dir>/_experiments/<exp>/<dettype>/<detname>.h5
    sandbox:<exp>:<user>        <calib_dir>/_sandboxes/<exp>/<user>/<dettype>/<detname>.h5

The underscore keeps work-space folders apart from detector-type folders (a dettype starts with a
letter). A lookup in a sandbox falls back to its experiment work-space, then to the repository.
"""

from dataclasses import dataclass
from pathlib import Path

from ..errors import bad_request
from ..names import ACCOUNT, EXPERIMENT, split_detname

REPOSITORY = "repository"


@dataclass(frozen=True)
class Workspace:
    kind: str  # repository, experiment, sandbox
    experiment: str = None
    user: str = None

    @property
    def name(self):
        if self.kind == REPOSITORY:
            return REPOSITORY
        if self.kind == "experiment":
            return f"experiment:{self.experiment}"
        return f"sandbox:{self.experiment}:{self.user}"

    def folder(self, calib_dir):
        root = Path(calib_dir)
        if self.kind == REPOSITORY:
            return root
        if self.kind == "experiment":
            return root / "_experiments" / self.experiment
        return root / "_sandboxes" / self.experiment / self.user

    def file_for(self, calib_dir, detname):
        dettype, _ = split_detname(detname)
        return self.folder(calib_dir) / dettype / f"{detname}.h5"

    def chain(self):
        """This work-space, then the ones a lookup falls back to."""
        if self.kind == "sandbox":
            return [self, Workspace("experiment", self.experiment), Workspace(REPOSITORY)]
        if self.kind == "experiment":
            return [self, Workspace(REPOSITORY)]
        return [self]


def parse_workspace(text):
    """'repository', 'experiment:<exp>' or 'sandbox:<exp>:<user>' -> Workspace, or a 400 saying why not."""
    if text in (None, "", REPOSITORY):
        return Workspace(REPOSITORY)
    if not isinstance(text, str):
        raise bad_request("A work-space is named by text: repository, experiment:<exp> or sandbox:<exp>:<user>.")
    parts = text.split(":")
    if parts[0] == "experiment" and len(parts) == 2 and EXPERIMENT.fullmatch(parts[1]):
        return Workspace("experiment", parts[1])
    if parts[0] == "sandbox" and len(parts) == 3 and EXPERIMENT.fullmatch(parts[1]):
        if not ACCOUNT.fullmatch(parts[2]):
            raise bad_request(f"The work-space {text!r} names {parts[2]!r}, which is not a valid user name.")
        return Workspace("sandbox", parts[1], parts[2])
    raise bad_request(
        f"The work-space {text!r} is not valid: use repository, experiment:<exp> or sandbox:<exp>:<user>, "
        "where <exp> has letters, digits, '_' or '-'."
    )
