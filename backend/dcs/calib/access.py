"""Who may write where in the calibration store.

- the repository: experts and admins;
- an experiment work-space: members and up of the group the experiment belongs to;
- a sandbox `sandbox:<exp>:<user>`: that user alone;
- admins: everywhere.
"""

from ..auth.models import Membership
from ..auth.permissions import ROLE_RANK
from ..errors import forbidden, not_found
from ..runs import Experiment


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
        experiment = Experiment.get_or_none(Experiment.name == space.experiment)
        if experiment is None:
            raise not_found(f"There is no experiment named {space.experiment!r}.")
        if experiment.group_id is None:
            raise forbidden(f"The experiment {space.experiment} belongs to no group yet; an admin must assign one.")
        membership = Membership.get_or_none(Membership.user == principal.user_id,
                                            Membership.group == experiment.group_id)
        if membership is None or ROLE_RANK[membership.role] < ROLE_RANK["member"]:
            raise forbidden(f"Writing to {space.name} is for members of its group, {experiment.group.name}.")
