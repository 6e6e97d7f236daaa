"""Who may write where in the calibration store.

- the repository: experts and admins;
- an experiment work-space: members and up of the group the experiment belongs to;
- a sandbox `sandbox:<exp>:<user>`: that user alone;
- admins: everywhere.
"""

from ..auth.permissions import ROLE_RANK
from ..errors import forbidden
from ..runs import check_writer, get_experiment


def check_write(principal, space):
    if principal.is_admin:
        return
    if space.kind == "repository":
        if ROLE_RANK.get(principal.role, -1) < ROLE_RANK["expert"]:
            raise forbidden("Writing to the repository is for experts and admins; use an experiment work-space or "
                            "your sandbox.")
    elif space.kind == "sandbox":
        if space.user != principal.username:
            raise forbidden(f"The sandbox {space.name} belongs to {space.user}; only they may write in it.")
    else:
        check_writer(principal, get_experiment(space.experiment))
