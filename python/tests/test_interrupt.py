"""Ctrl-C during labelnoise.run: the run stops, raises KeyboardInterrupt, and the folder resumes."""

import json
import signal
import subprocess
import sys
import time

import labelnoise

SCENARIO = """name = "long"
seeds = 60
[dataset]
source = "blobs"
classes = 5
features = 20
train = 1500
test = 500
[noise]
kind = "symmetric"
rate = [0.0, 0.2, 0.4]
[[method]]
kind = "label_smoothing"
epsilon = [0.0, 0.1, 0.2]
"""
TOTAL = 60 * 9

CHILD = """
import sys, labelnoise
try:
    labelnoise.run(sys.argv[1], out=sys.argv[2], threads=2, progress=False)
except KeyboardInterrupt as e:
    print("KeyboardInterrupt:", e, flush=True)
    sys.exit(130)
print("finished", flush=True)
"""


def stored(folder):
    path = folder / "runs.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def test_ctrl_c_stops_and_the_folder_resumes(tmp_path):
    scenario = tmp_path / "long.toml"
    scenario.write_text(SCENARIO)
    out = tmp_path / "out"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(scenario), str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    deadline = time.time() + 120
    while len(stored(out)) < 5 and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert child.poll() is None, "the run ended before it could be interrupted"
    child.send_signal(signal.SIGINT)
    sent = time.time()
    stdout, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr
    assert time.time() - sent < 10
    assert "KeyboardInterrupt: interrupted:" in stdout and "resume with labelnoise.run" in stdout
    lines = stored(out)
    assert 5 <= len(lines) < TOTAL
    assert all(json.loads(line)["id"] for line in lines)  # whole records only
    res = labelnoise.run(scenario, out=out, progress=False)
    runs = res.runs
    assert len(runs) == TOTAL and runs["id"].is_unique
    assert len(stored(out)) == TOTAL
    assert res.summary["n"].sum() == TOTAL
