"""The channel's TOML file: a good one reads as written, and every mistake is one sentence naming the key."""

import ipaddress

import pytest

from dcs.channel.configfile import ChannelConfigError, load

GOOD = """
mode = "mixed"

[source]
url = "http://127.0.0.1:8091/RPC2"
addresses = ["127.0.0.1", "10.1.0.0/16"]
secret_file = "channel.secret"

[listener]
port = 8092
method = "dcs.spill"

[callback]
trigger = "E:SPILL"
devices = ["E:TOR101", "E:HP121", "E:HADMDS"]

[polling]
devices = ["M:OUTTMP"]
after_spill_s = 0.5

[sink]
kind = "tcp"
address = "127.0.0.1:9090"
spool = "spool"

[portal]
url = "http://127.0.0.1:8080/"
token_file = "channel.token"
heartbeat_device = "bmon-mimosa"

[portal.devices]
"E:TOR101" = "bmon-mimosa"
"M:OUTTMP" = "bmon-timepix"
"""


def write(tmp_path, text, secret="word-of-power"):
    (tmp_path / "channel.secret").write_text(secret + "\n")
    (tmp_path / "channel.token").write_text("dcs_token_value\n")
    path = tmp_path / "channel.toml"
    path.write_text(text)
    return path


def test_a_good_file_reads_as_written_with_paths_next_to_it(tmp_path):
    config = load(write(tmp_path, GOOD))
    assert config.mode == "mixed" and config.trigger == "E:SPILL"
    assert config.in_spill == ("E:TOR101", "E:HP121", "E:HADMDS") and config.out_of_spill == ("M:OUTTMP",)
    assert config.poll_after_spill_s == 0.5 and config.poll_every_s is None
    assert config.secret == "word-of-power" and config.portal.token == "dcs_token_value"
    assert ipaddress.ip_address("10.1.2.3") in config.addresses[1]
    assert config.listener.url == "http://127.0.0.1:8092/RPC2" and config.listener.path == "/RPC2"
    assert config.sink.spool == tmp_path / "spool" and (config.sink.host, config.sink.port) == ("127.0.0.1", 9090)
    assert config.portal.url == "http://127.0.0.1:8080" and config.portal.devices["M:OUTTMP"] == "bmon-timepix"


def test_the_source_addresses_default_to_the_sources_own_host(tmp_path):
    text = GOOD.replace('addresses = ["127.0.0.1", "10.1.0.0/16"]\n', "")
    assert [str(n) for n in load(write(tmp_path, text)).addresses] == ["127.0.0.1/32"]


@pytest.mark.parametrize("change, words", [
    (("mode = \"mixed\"", "mode = \"push\""), "mode must be one of callback, polling, mixed, not 'push'"),
    (("mode = \"mixed\"", "mode = \"callback\""), "mode is callback, so there is no [polling] table"),
    (("mode = \"mixed\"", "mode = \"polling\""), "mode is polling, so there is no [callback] table"),
    (("port = 8092", "port = 8092\nprot = 1"), "listener.prot is not a setting the channel knows"),
    (("port = 8092", "port = 80920"), "listener.port must be between 0 and 65535"),
    (("port = 8092", "port = \"8092\""), "listener.port must be a whole number"),
    (('"E:HP121"', '"HP121"'), "callback.devices holds 'HP121', which is not an ACNET name"),
    (('"E:HP121"', '"E:TOR101"'), "callback.devices names a device twice"),
    (('["M:OUTTMP"]', '["E:HP121"]'), "E:HP121 is read both by callback and by polling"),
    (('trigger = "E:SPILL"', 'trigger = "timer:0"'), "callback.trigger must be an event device like E:SPILL"),
    (("after_spill_s = 0.5", ""), "polling.every_s or after_spill_s must say when to poll"),
    (('url = "http://127.0.0.1:8091/RPC2"', 'url = "ftp://somewhere"'), "source.url must be an http:// URL"),
    (('"10.1.0.0/16"', '"beam.example.org"'), "not an IP address or network"),
    (('secret_file = "channel.secret"', 'secret_file = "missing.secret"'), "cannot read the secret file"),
    (('address = "127.0.0.1:9090"', 'address = "127.0.0.1"'), "sink.address must be HOST:PORT"),
    (('kind = "tcp"', 'kind = "kafka"'), "sink.kind must be one of tcp, files"),
    (('"M:OUTTMP" = "bmon-timepix"', '"E:VP121" = "bmon-timepix"'), "E:VP121 is not one of the devices"),
    (("[sink]", "[sinks]"), "the [sink] table is missing"),
    (("mode = \"mixed\"", "mode = "), "not valid TOML"),
    (('url = "http://127.0.0.1:8091/RPC2"\naddresses = ["127.0.0.1", "10.1.0.0/16"]',
      'url = "http://acnet.example.org:8091/RPC2"'), "source.addresses is needed: the URL names the host"),
    (("port = 8092", 'port = 8092\nhost = "0.0.0.0"'), "listener.url is needed when the listener listens on every"),
])
def test_a_mistake_is_named_with_its_key_and_the_channel_does_not_start(tmp_path, change, words):
    old, new = change
    assert old in GOOD
    with pytest.raises(ChannelConfigError) as refused:
        load(write(tmp_path, GOOD.replace(old, new, 1)))
    assert words in str(refused.value) and str(tmp_path / "channel.toml") in str(refused.value)


def test_a_secret_must_be_one_word(tmp_path):
    with pytest.raises(ChannelConfigError, match="must hold one word"):
        load(write(tmp_path, GOOD, secret="two words"))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ChannelConfigError, match="no such file"):
        load(tmp_path / "nowhere.toml")
