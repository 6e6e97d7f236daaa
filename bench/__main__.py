"""`python -m bench [NAME ...]`: run the benchmarks (all by default) and write bench/results/<name>.json."""

import json
import sys
from pathlib import Path

from . import calib, channel, darks, foundation, heatmap, monitoring, topology

BENCHES = {"foundation": foundation.run, "calib": calib.run, "darks": darks.run, "heatmap": heatmap.run,
           "topology": topology.run, "monitoring": monitoring.run,
           "channel": channel.run}
RESULTS = Path(__file__).resolve().parent / "results"


def main(names):
    RESULTS.mkdir(exist_ok=True)
    for name in names or BENCHES:
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHES)}", file=sys.stderr)
            return 2
        print(f"== {name}")
        result = BENCHES[name]()
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"   wrote {RESULTS / (name + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
