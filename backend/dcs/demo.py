"""Demo data for a first start: a PADME-like and an LCLS-like experiment, their groups, people and detectors.

Seeded only into an empty database. Passwords are generated, never fixed: the admin's and one shared
by the demo people are returned so `dcs serve --demo` can print them once.
"""

from . import demo_calib
from .audit import Actor
from .auth.models import User
from .auth.passwords import generate_password
from .auth.users import create_group, create_user
from .db import MetaValue, database
from .timeutil import iso, now_ns
from .topology.devices import add_device

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

DEVICES = [
    ("ecal-main", "ECal: 616 BGO crystals with SiPM readout, grouped by HV controller board", "ecal"),
    ("sipm-hvb01", "SiPM HV controller board 1 (ECal crystals 0-153)", "ecal"),
    ("sipm-hvb02", "SiPM HV controller board 2 (ECal crystals 154-307)", "ecal"),
    ("sipm-hvb03", "SiPM HV controller board 3 (ECal crystals 308-461)", "ecal"),
    ("sipm-hvb04", "SiPM HV controller board 4 (ECal crystals 462-615)", "ecal"),
    ("sac-main", "Small-angle calorimeter: 25 PbF2 crystals", "sac"),
    ("pveto-main", "Positron veto: 90 scintillator bars", "veto"),
    ("eveto-main", "Electron veto: 96 scintillator bars", "veto"),
    ("hepveto-main", "High-energy positron veto: 16 scintillator bars", "veto"),
    ("target-main", "Active diamond target, 100 um", "beam"),
    ("bmon-mimosa", "Beam monitor: MIMOSA pixel tracker", "beam"),
    ("cspad-0001", "CSPAD 2.3M: 32 panels of 185x388 pixels", "xpp"),
    ("epix100a-0001", "ePix100a: 704x768 pixels", "xpp"),
    ("pnccd-12345678", "pnCCD: 4 quadrants, 1024x1024 pixels", "xpp"),
    ("jungfrau-0001", "Jungfrau 1M: 2 modules of 512x1024 pixels", "xpp"),
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
        for name, description, subsystem in DEVICES:
            add_device(actor, name, description, subsystem)
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
