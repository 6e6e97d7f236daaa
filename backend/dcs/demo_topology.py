"""Demo topology and configurations: a PADME-like detector and LCLS-like detectors moving between two
experiments.

PADME: 616 ECal BGO crystals, each powered by a channel of a SiPM HV board (32 channels, 20 boards in
one crate) and read out by a channel of a V1742 digitizer; the SAC, PVeto, EVeto and HEPVeto the same
way; the target and beam monitors; a DAQ switch and the trigger distribution. LCLS: cspad, epix100a,
pnccd and jungfrau detectors placed in xpplv1225, then moved to xppx10026, with aliases and a
predecessor link. Configurations: schemas per type, type defaults and device versions activated over
time, live values (one board drifting), run-mode recipes and approved configuration sets.
"""

from . import approval
from .audit import Actor
from .configs.live import record_live
from .configs.recipes import create_recipe
from .configs.sets import create_set, snapshot
from .configs.versions import activate, owner_of, save_version, set_schema
from .topology.aliases import add_alias
from .topology.connections import connect_many
from .demo_calib import person
from .topology.devices import add_device, add_type, get_device
from .timeutil import NS
from .topology.models import Device, DeviceType, Placement
from .topology.placements import add_placement

DAY = 1_795_000_000  # 2026-11-18, seconds
CHANNELS = 32
SYSTEMS = [
    # subsystem, group, crystal/bar type, count, description, HV board prefix
    ("ECal", "padme-ecal", "bgo", 616, "ECal BGO crystal {i} with SiPM readout", "ecal"),
    ("SAC", "padme-ecal", "pbf2", 25, "SAC PbF2 crystal {i}", "sac"),
    ("PVeto", "padme-veto", "pveto", 90, "PVeto scintillator bar {i}", "pveto"),
    ("EVeto", "padme-veto", "eveto", 96, "EVeto scintillator bar {i}", "eveto"),
    ("HEPVeto", "padme-veto", "hepveto", 16, "HEPVeto scintillator bar {i}", "hepveto"),
]
HV_SCHEMA = {
    "type": "object",
    "properties": {
        "enabled": {"type": "boolean"},
        "ramp_rate": {"type": "number", "minimum": 0.1, "maximum": 10, "x-tolerance": "5%",
                      "description": "V/s"},
        "current_limit_ua": {"type": "number", "minimum": 1, "maximum": 500, "x-tolerance": 1},
        "temperature_compensation": {"type": "boolean"},
        "channels": {"type": "array", "maxItems": CHANNELS, "items": {
            "type": "object", "required": ["voltage"], "additionalProperties": False,
            "properties": {"voltage": {"type": "number", "minimum": 0, "maximum": 60, "x-tolerance": 0.05},
                           "enabled": {"type": "boolean"}}}},
    },
    "required": ["enabled", "ramp_rate", "current_limit_ua"],
    "additionalProperties": False,
}
DIGITIZER_SCHEMA = {
    "type": "object",
    "properties": {"sampling_ghz": {"enum": [0.75, 1, 2.5, 5]}, "post_trigger": {"type": "integer", "minimum": 0,
                                                                               "maximum": 100},
                   "dc_offset": {"type": "integer", "minimum": 0, "maximum": 65535, "x-tolerance": 8}},
    "required": ["sampling_ghz", "post_trigger"], "additionalProperties": False,
}
AREA_SCHEMA = {
    "type": "object",
    "properties": {"gain_mode": {"enum": ["high", "medium", "low", "auto"]},
                   "exposure_us": {"type": "number", "minimum": 0.1, "maximum": 10000, "x-tolerance": "1%"},
                   "cooling_c": {"type": "number", "minimum": -40, "maximum": 30, "x-tolerance": 0.5},
                   "trigger_delay_ns": {"type": "integer", "minimum": 0}},
    "required": ["gain_mode"], "additionalProperties": False,
}
LCLS = [
    ("cspad-0001", "CSPAD 2.3M: 32 panels of 185x388 pixels", [3, 1, 4, 1, 5, 9, 2], "XppGon.0:Cspad.0"),
    ("epix100a-0001", "ePix100a: 704x768 pixels", [2, 7, 1, 8, 2, 8, 1], "XppGon.0:Epix100a.0"),
    ("pnccd-12345678", "pnCCD: 4 quadrants, 1024x1024 pixels", [1, 4, 1, 4, 2, 1, 3], "Camp.0:pnCCD.1"),
    ("jungfrau-0001", "Jungfrau 1M: 2 modules of 512x1024 pixels", [1, 7, 3, 2, 0, 5, 0], "XppEndstation.0:Jungfrau.0"),
]


def _board_name(prefix, board):
    return f"sipm-{prefix}{board:02d}"


def seed():
    """Seed the demo topology and configurations (the demo groups and people must exist)."""
    actor = Actor("system:demo")
    _types(actor)
    _padme(actor)
    _lcls(actor)
    _configs(actor)


def _types(actor):
    hv_ports = [{"name": f"ch{c:02d}", "kind": "HV"} for c in range(CHANNELS)] + [{"name": "bus", "kind": "network"}]
    adc_ports = ([{"name": f"in{c:02d}", "kind": "readout"} for c in range(CHANNELS)]
                 + [{"name": "eth", "kind": "network"}, {"name": "trg", "kind": "trigger"}])
    cell = [{"name": "hv", "kind": "HV"}, {"name": "signal", "kind": "readout"}]
    for name, description, group, ports in [
        ("sipm", "SiPM HV controller board, 32 channels", "padme-ecal", hv_ports),
        ("v1742", "CAEN V1742 digitizer, 32 channels at up to 5 GS/s", "padme-ecal", adc_ports),
        ("mainframe", "HV crate controller on the network", "padme-ecal",
         [{"name": f"slot{s:02d}", "kind": "network"} for s in range(1, 33)] + [{"name": "eth", "kind": "network"}]),
        ("switch", "DAQ network switch, 48 ports", "padme-beam",
         [{"name": f"p{p:02d}", "kind": "network"} for p in range(1, 49)]),
        ("trigger", "Trigger distribution, 32 outputs", "padme-beam",
         [{"name": f"out{p:02d}", "kind": "trigger"} for p in range(1, 33)]),
        ("bgo", "ECal BGO crystal with SiPM", "padme-ecal", cell),
        ("pbf2", "SAC PbF2 crystal", "padme-ecal", cell),
        ("pveto", "PVeto scintillator bar", "padme-veto", cell),
        ("eveto", "EVeto scintillator bar", "padme-veto", cell),
        ("hepveto", "HEPVeto scintillator bar", "padme-veto", cell),
        ("target", "Active diamond target", "padme-beam", [{"name": "signal", "kind": "readout"}]),
        ("bmon", "Beam monitor", "padme-beam", [{"name": "eth", "kind": "network"}]),
    ]:
        add_type(actor, name, description, group, ports)
    for name in ("cspad", "epix100a", "pnccd", "jungfrau"):
        add_type(actor, name, f"LCLS {name} area detector", "xpp-detectors")


def _padme(actor):
    cables = []
    add_device(actor, "switch-daq01", "DAQ network switch in the counting room", "DAQ", group="padme-beam",
               address={"host": "sw-daq01.padme.lnf.infn.it", "ip": "192.168.60.2"})
    add_device(actor, "trigger-main", "Trigger distribution board", "DAQ", group="padme-beam",
               address={"crate": 0, "slot": 1})
    switch_port, trigger_port = iter(range(1, 49)), iter(range(1, 33))
    boards = 0
    for subsystem, group, kind, count, description, prefix in SYSTEMS:
        board_count = -(-count // CHANNELS)
        crate = f"mainframe-{prefix}"
        add_device(actor, crate, f"HV crate controller of the {subsystem}", subsystem, group=group,
                   address={"host": f"hv-{prefix}.padme.lnf.infn.it", "port": 1470})
        cables.append((f"switch-daq01:p{next(switch_port):02d}", f"{crate}:eth", "network", ""))
        for board in range(1, board_count + 1):
            boards += 1
            name = _board_name(prefix, board)
            first = (board - 1) * CHANNELS
            add_device(actor, name, f"{subsystem} SiPM HV board {board} ({kind} {first}-"
                       f"{min(first + CHANNELS, count) - 1})", subsystem, group=group,
                       hw_index=[20, 26, boards, board, 0, 3, 2], firmware="3.2",
                       address={"host": f"hv-{prefix}.padme.lnf.infn.it", "port": 1470, "crate": 1, "slot": board})
            cables.append((f"{crate}:slot{board:02d}", f"{name}:bus", "network", ""))
            adc = f"v1742-{prefix}{board:02d}"
            add_device(actor, adc, f"{subsystem} digitizer {board}", subsystem, group=group,
                       address={"crate": 2, "slot": boards})
            cables.append((f"switch-daq01:p{next(switch_port):02d}", f"{adc}:eth", "network", ""))
            cables.append((f"trigger-main:out{next(trigger_port):02d}", f"{adc}:trg", "trigger", ""))
        for i in range(count):
            cell = f"{kind}-{i:03d}"
            add_device(actor, cell, description.format(i=i), subsystem, group=group)
            board, channel = divmod(i, CHANNELS)
            cables.append((f"{_board_name(prefix, board + 1)}:ch{channel:02d}", f"{cell}:hv", "HV", ""))
            cables.append((f"v1742-{prefix}{board + 1:02d}:in{channel:02d}", f"{cell}:signal", "readout", ""))
    add_device(actor, "target-diamond1", "Active diamond target, 100 um, 16+16 strips", "Beam", group="padme-beam")
    cables.append(("v1742-sac01:in31", "target-diamond1:signal", "readout", ""))
    for name, description in (("bmon-mimosa", "Beam monitor: MIMOSA pixel tracker"),
                              ("bmon-timepix", "Beam monitor: Timepix3 beam profile")):
        add_device(actor, name, description, "Beam", group="padme-beam")
        cables.append((f"switch-daq01:p{next(switch_port):02d}", f"{name}:eth", "network", ""))
    connect_many(actor, cables)
    # The whole PADME detector sits in the BTF hall for run 3 (one insert: the devices are new).
    Placement.insert_many([{"device": device.id, "instrument": "BTF", "hatch": "BTF-hall", "experiment": "padme-run3",
                            "begin_ns": (DAY - 60 * 86400) * NS} for device in Device.select(Device.id)]).execute()


def _lcls(actor):
    moved = DAY + 2 * 86400
    for name, description, index, source in LCLS:
        add_device(actor, name, description, "XPP", group="xpp-detectors", hw_index=index, firmware=str(index[-1]))
        add_placement(actor, get_device(name), DAY - 30 * 86400, moved, instrument="XPP", hatch="hutch3",
                      experiment="xpplv1225")
        add_alias(actor, source, name, DAY - 30 * 86400)
    for name in ("cspad-0001", "pnccd-12345678"):
        add_placement(actor, get_device(name), moved, instrument="XPP", hatch="hutch3", experiment="xppx10026")
    add_placement(actor, get_device("jungfrau-0001"), moved, instrument="XCS", hatch="hutch4",
                  experiment="xcsx10126")
    add_device(actor, "epix100a-0002", "ePix100a replacing 0001 after the sensor was damaged", "XPP",
               group="xpp-detectors", hw_index=[2, 7, 1, 8, 2, 8, 4], firmware="4", predecessor="epix100a-0001")
    add_placement(actor, get_device("epix100a-0002"), moved, instrument="XPP", hatch="hutch3",
                  experiment="xppx10026", note="swapped in for epix100a-0001")


def _hv_config(voltage, channels=CHANNELS):
    return {"channels": [{"voltage": round(voltage + 0.1 * (c % 5), 2), "enabled": True} for c in range(channels)]}


def _configs(actor):
    sipm = DeviceType.get(DeviceType.name == "sipm")
    set_schema(actor, sipm, HV_SCHEMA)
    set_schema(actor, DeviceType.get(DeviceType.name == "v1742"), DIGITIZER_SCHEMA)
    for name in ("cspad", "epix100a", "pnccd", "jungfrau"):
        set_schema(actor, DeviceType.get(DeviceType.name == name), AREA_SCHEMA)
    hv = owner_of("type:sipm")
    save_version(actor, hv, {"enabled": True, "ramp_rate": 2.0, "current_limit_ua": 100,
                             "temperature_compensation": False}, "first default", activate=True)
    save_version(actor, hv, {"enabled": True, "ramp_rate": 1.0, "current_limit_ua": 120,
                             "temperature_compensation": True}, "slower ramp; compensation on after the cooling test",
                 activate=True)
    save_version(actor, owner_of("type:v1742"), {"sampling_ghz": 1, "post_trigger": 20, "dc_offset": 32768},
                 "1 GS/s for physics", activate=True)
    for name in ("cspad", "epix100a", "pnccd", "jungfrau"):
        save_version(actor, owner_of(f"type:{name}"), {"gain_mode": "auto", "exposure_us": 10},
                     "LCLS default", activate=True)
    boards = {}
    for board in range(1, 21):
        owner = owner_of(_board_name("ecal", board))
        physics = save_version(actor, owner, _hv_config(38.0 + 0.05 * board), "operating voltages from the "
                               "gain equalisation", activate=True)
        cosmics = save_version(actor, owner, _hv_config(40.0 + 0.05 * board), "cosmics: +2 V for MIP signals",
                               activate=True)
        calibration = save_version(actor, owner, {**_hv_config(38.0 + 0.05 * board), "ramp_rate": 0.5},
                                   "LED calibration: slow ramp")
        activate(actor, owner, physics.number, "back to physics voltages")
        boards[board] = (physics, cosmics, calibration)
    for mode, index in (("PHYSICS", 0), ("COSMICS", 1), ("CALIBRATION", 2)):
        create_recipe(actor, f"ecal-{mode.lower()}", mode, f"ECal HV for {mode.lower()} runs", "padme-ecal",
                      [versions[index] for versions in boards.values()])
    live = _hv_config(38.05)
    record_live(actor, owner_of("sipm-ecal01").device, {"enabled": True, "ramp_rate": 1.0, "current_limit_ua": 120,
                                                        "temperature_compensation": True, **live})
    drifting = _hv_config(38.35)
    drifting["channels"][7]["voltage"] = 37.1
    record_live(actor, owner_of("sipm-ecal07").device, {"enabled": True, "ramp_rate": 1.04, "current_limit_ua": 120,
                                                        "temperature_compensation": True, **drifting})
    (elena, elena_principal), (mira, mira_principal) = person("elena"), person("mira")
    owners = ["type:sipm"] + [f"device:{_board_name('ecal', b)}" for b in range(1, 21)]
    first = create_set(mira, "ecal-hv-good-1", snapshot(owners), "ECal HV after the equalisation",
                       "padme-ecal")
    approval.transition(mira, mira_principal, first, "propose")
    approval.transition(elena, elena_principal, first, "approve", "equalisation checked on cosmics")
    second = create_set(mira, "ecal-hv-good-2",
                        snapshot(owners[:-1]) + [boards[20][1]], "Board 20 at +2 V after the noise study",
                        "padme-ecal")
    approval.transition(mira, mira_principal, second, "propose", "board 20 needs more gain")

