"""`dcs channel ...` (the beam monitor channel and its simulated source) and `dcs blocks ...` (raw data blocks:
the reference TCP receiver and the dump)."""

import sys

from ..console import UsageError, add_command, wait_until_stopped
from . import receive, source
from .configfile import ChannelConfigError, load


def _config(args):
    try:
        return load(args.config)
    except ChannelConfigError as error:
        raise UsageError(str(error)) from None


def describe(config):
    """The configuration in a few lines, as the channel starts and as `dcs channel check` prints it."""
    lines = [f"mode {config.mode}; source {config.source_url}"]
    if config.in_spill:
        lines.append(f"in-spill by callback on {config.trigger}: {', '.join(config.in_spill)}")
        lines.append(f"listener {config.listener.url} ({config.listener.method}), callers "
                     f"{', '.join(map(str, config.addresses))}, "
                     f"{'with' if config.secret else 'without'} a shared secret")
    if config.out_of_spill:
        when = [f"every {config.poll_every_s:g} s"] if config.poll_every_s else []
        if config.poll_after_spill_s is not None:
            when.append(f"{config.poll_after_spill_s:g} s after each spill")
        lines.append(f"out-of-spill by polling {' and '.join(when)}: {', '.join(config.out_of_spill)}")
    sink = config.sink
    lines.append(f"sink: TCP {sink.host}:{sink.port} ({sink.protocol})" if sink.kind == "tcp"
                 else f"sink: daily files in {sink.directory}")
    lines.append(f"spool: {sink.spool} (at most {sink.spool_max_bytes // 1024**2} MiB)")
    if config.portal:
        lines.append(f"portal: {config.portal.url}, readings of {len(config.portal.devices)} devices"
                     + (f", heartbeat as {config.portal.heartbeat_device}" if config.portal.heartbeat_device else ""))
    return lines


def cmd_check(settings, args):
    for line in describe(_config(args)):
        print(line)
    print("the configuration is good")


def cmd_run(settings, args):
    from .process import Channel
    from .spool import SpoolBusy

    config = _config(args)
    try:
        channel = Channel(config)
    except (SpoolBusy, OSError) as error:
        raise UsageError(f"the channel cannot start: {error}") from None
    channel.start()
    print(f"beam channel running; the spill count continues at {channel.spill}")
    for line in describe(config):
        print("  " + line)
    sys.stdout.flush()
    try:
        wait_until_stopped()
    finally:
        print("stopping the beam channel")
        channel.stop()
        print(f"stopped at spill {channel.spill}; {channel.spool.pending()[0]} records wait in the spool")


def register(commands):
    channel = commands.add_parser("channel", help="The beam monitor data channel.",
                                  description="The beam monitor data channel: ACNET XML-RPC to raw data blocks.")
    actions = channel.add_subparsers(dest="action", metavar="ACTION", required=True)
    run = add_command(actions, "run", cmd_run,
                      "Run the channel: ACNET callbacks and polls to raw data records, sent to the sink.")
    run.add_argument("--config", required=True, metavar="FILE", help="the channel's TOML file (docs/beam-channel.md)")
    check = add_command(actions, "check", cmd_check, "Check a channel configuration file and say what it would do.")
    check.add_argument("--config", required=True, metavar="FILE")
    source.add_simulate_command(actions)

    blocks = commands.add_parser("blocks", help="Raw data blocks: receive and dump.",
                                 description="Raw data blocks of the beam monitor channel: receive and dump.")
    receive.add_block_commands(blocks.add_subparsers(dest="action", metavar="ACTION", required=True))
