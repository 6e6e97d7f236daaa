"""Demo data for a first start: a PADME-like and an LCLS-like experiment, their groups, people, detectors
with their topology and configurations (demo_topology), monitoring (demo_monitoring), and the calibration
workflow (demo_calib).

Seeded only into an empty database. Passwords are generated, never fixed: the admin's and one shared
by the demo people are returned so `dcs serve --demo` can print them once.
"""

from . import demo_beam, demo_calib, demo_monitoring, demo_topology
from .audit import Actor
from .auth.models import User
from .auth.passwords import generate_password
from .auth.users import create_group, create_user
from .db import MetaValue, database
from .timeutil import iso, now_ns

GROUPS = {
    "padme-ecal": "PADME electromagnetic calorimeter: 616 BGO crystals read out by SiPMs.",
    "padme-veto": "PADME charged-particle vetoes: PVeto, EVeto and HEPVeto scintillator bars.",
    "padme-beam": "PADME beam line: target and beam monitors.",
    "xpp-detectors": "LCLS XPP instrument detectors: CSPAD, ePix100a, pnCCD, Jungfrau.",
    "shift-crew": "Control-room shifters on duty.",
}

PEOPLE = [
    # username, display name, e-mail, memberships
    ("elena", "Elena Ricci", "elena@example.org",
     [("padme-ecal", "expert"), ("padme-veto", "expert"), ("padme-beam", "viewer")]),
    ("otto", "Otto Lindqvist", "otto@example.org",
     [("shift-crew", "operator"), ("padme-ecal", "operator"), ("padme-veto", "operator"), ("padme-beam", "operator")]),
    ("mira", "Mira Patel", "mira@example.org", [("xpp-detectors", "member"), ("padme-ecal", "member")]),
    ("sam", "Sam Okafor", "sam@example.org", [("xpp-detectors", "expert")]),
    ("vik", "Vik Horvat", "vik@example.org", [("padme-beam", "viewer"), ("xpp-detectors", "viewer")]),
]

def is_empty():
    return User.select().count() == 0


def seed(cost, admin_name="admin", settings=None):
    """Create the first admin and the demo groups, people and detectors (and, given settings, the demo
    calibration experiment with its runs, constants and sets). Returns the names and passwords."""
    actor = Actor("system:demo")
    admin_password, people_password = generate_password(), generate_password()
    with database.atomic():
        create_user(actor, admin_name, admin_password, cost, display_name="Portal administrator", is_admin=True)
        for name, description in GROUPS.items():
            create_group(actor, name, description)
        for username, display, email, memberships in PEOPLE:
            create_user(actor, username, people_password, cost, display_name=display, email=email,
                        memberships=[{"group": g, "role": r} for g, r in memberships])
        demo_topology.seed()
        demo_monitoring.seed(settings)
        demo_beam.seed(actor)
        if settings is not None:
            demo_calib.seed(settings)
        MetaValue.set_value("demo_seeded", iso(now_ns()))
    return {"admin": admin_name, "admin_password": admin_password,
            "people": [p[0] for p in PEOPLE], "people_password": people_password}


def first_admin(cost, admin_name="admin"):
    """An empty database without the demo still gets one admin, with a generated password."""
    password = generate_password()
    create_user(Actor("system:first-start"), admin_name, password, cost, display_name="Portal administrator",
                is_admin=True)
    return {"admin": admin_name, "admin_password": password}
