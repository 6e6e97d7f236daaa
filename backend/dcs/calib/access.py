"""Who may write where in the calibration store.

- the repository: experts and admins;
- an experiment work-space: members and up (until experiments name their owning group, any group);
- a sandbox `sandbox:<exp>:<user>`: that user alone (and admins).
"""

from ..auth.permissions import ROLE_RANK
from ..errors import forbidden


def check_write(principal, space):
    if principal.is_admin:
        return
    rank = ROLE_RANK.get(principal.role, -1)
    if space.kind == "repository" and rank < ROLE_RANK["expert"]:
        raise forbidden("Writing to the repository is for experts and admins; use an experiment work-space or "
                        "your sandbox.")
    if space.kind == "sandbox" and space.user != principal.username:
        raise forbidden(f"The sandbox {space.name} belongs to {space.user}; only they may write in it.")
    if space.kind == "experiment" and rank < ROLE_RANK["member"]:
        raise forbidden("Writing to an experiment work-space is for members and up.")
