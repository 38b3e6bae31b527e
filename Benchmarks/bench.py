#!/usr/bin/env python3
"""supportsync benchmarks: each runs the tool and a named peer side by side on
the same generated data, in one run, and prints the ratio.

    python3 Benchmarks/bench.py validate [--agents 10000] [--runs 3]
    python3 Benchmarks/bench.py apply [--agents 1000] [--runs 3]

Times are wall-clock medians over --runs; peak memory is the child's maximum
resident set size (getrusage). The supportsync binary is built in release mode
first (`swift build -c release`).
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, ".build", "release", "supportsync")


def build():
    subprocess.run(["swift", "build", "-c", "release", "--product", "supportsync"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def run_measured(command, cwd=None, expect=(0,)):
    """Runs command in a fresh process and returns (seconds, peak RSS MiB) of that process alone."""
    # A tiny wrapper so getrusage(RUSAGE_CHILDREN) sees only this command.
    wrapper = (
        "import os,resource,subprocess,sys,time,json\n"
        "t=time.perf_counter();p=subprocess.run(sys.argv[2:],cwd=sys.argv[1] or None,"
        "stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
        "e=time.perf_counter()-t;r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(json.dumps([p.returncode,e,r,p.stderr.decode(errors='replace')[-2000:]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, cwd or ""] + command, capture_output=True, check=True)
    import json
    code, seconds, rss_kib, err = json.loads(out.stdout)
    if code not in expect:
        sys.exit(f"{command[0]} exited {code}: {err}")
    return seconds, rss_kib / 1024.0


def median_run(command, runs, cwd=None, expect=(0,)):
    samples = [run_measured(command, cwd, expect) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


# ---------------------------------------------------------------- validate

MODES = ["nothing", "flag", "escalate", "decide"]


def agent_file(i):
    """A realistic agent file; every generated file is valid."""
    mode = MODES[i % 4]
    agent = f"agent-{i:05d}"
    channels = {"nothing": "[messages]", "flag": "[calls, messages]", "escalate": "[calls]",
                "decide": "[calls, messages]"}[mode]
    lines = [f"agent: {agent}", f"name: Agent {i}", f"channels: {channels}", "support:", f"  mode: {mode}"]
    if mode in ("flag", "decide"):
        lines += ["  flag:", "    collect:", "      - name", "      - field: email", "        required: true",
                  "      - field: order_id", "        label: Order number", "    priority: high",
                  f"    tags: [team-{i % 17}, billing]"]
    if mode in ("escalate", "decide"):
        lines += ["  escalate:", "    destinations:", "      - name: desk", f'        number: "+3491{i:07d}"',
                  '        extension: "204"', "      - name: on-call", '        sip: "sip:oncall@pbx.example.com"',
                  "    transfer: warm", "    summary: true", '    announce: "Connecting you with a colleague."',
                  "    ring_timeout: 25", "    hours:", "      timezone: Europe/Madrid", "      weekly:",
                  '        mon-fri: ["09:00-13:00", "14:00-18:00"]', '        sat: "10:00-14:00"',
                  '      closed: ["2026-12-25"]', "    fallback: flag"]
    if mode == "decide":
        lines += ["  decide:", "    allow: [respond, flag, escalate]", "    guidance: |",
                  "      Escalate disputed charges over 500 EUR while the desk is open."]
    return agent, "\n".join(lines) + "\n"


def bench_validate(args):
    work = tempfile.mkdtemp(prefix="supportsync-bench-validate-")
    try:
        agents = os.path.join(work, "config", "agents")
        os.makedirs(agents)
        with open(os.path.join(work, "config", "defaults.yaml"), "w") as f:
            f.write("support:\n  flag:\n    priority: normal\n")
        for i in range(args.agents):
            agent, text = agent_file(i)
            with open(os.path.join(agents, agent + ".yaml"), "w") as f:
                f.write(text)
        schema = os.path.join(work, "agent.schema.json")
        with open(schema, "w") as f:
            subprocess.run([BINARY, "schema"], stdout=f, check=True)
        files = sorted(os.path.join(agents, n) for n in os.listdir(agents))

        # Both must accept every file, or the comparison means nothing.
        ours = median_run([BINARY, "validate", "--repo", work], args.runs)
        peer_tool = shutil.which("check-jsonschema")
        if not peer_tool:
            sys.exit("check-jsonschema is not installed: pip install check-jsonschema")
        peer = median_run([peer_tool, "--schemafile", schema] + files, args.runs)
        print(f"validate {args.agents} agent files (median of {args.runs} runs)")
        print(f"  supportsync validate      {ours[0]:8.3f} s   peak {ours[1]:7.1f} MiB")
        print(f"  check-jsonschema          {peer[0]:8.3f} s   peak {peer[1]:7.1f} MiB")
        print(f"  speed-up: {peer[0] / ours[0]:.1f}x (target >= 20x); peak memory {ours[1]:.1f} MiB (target < 150 MiB)")
        return peer[0] / ours[0] >= 20 and ours[1] < 150
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- apply / plan

def start_server(db, token):
    """Starts `supportsync platform serve --port 0` and returns (process, url)."""
    env = dict(os.environ, SUPPORTSYNC_TOKEN=token)
    server = subprocess.Popen([BINARY, "platform", "serve", "--db", db, "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline()
    if "http://" not in line:
        server.kill()
        sys.exit(f"platform serve did not start: {line!r}")
    return server, line.strip().split()[-1]


def bench_apply(args):
    work = tempfile.mkdtemp(prefix="supportsync-bench-apply-")
    token = "bench-token"
    try:
        agents = os.path.join(work, "config", "agents")
        os.makedirs(agents)
        for i in range(args.agents):
            agent, text = agent_file(i)
            with open(os.path.join(agents, agent + ".yaml"), "w") as f:
                f.write(text)
        env = dict(os.environ, SUPPORTSYNC_TOKEN=token)
        env.pop("CI", None)
        print(f"apply / plan of {args.agents} agents to `platform serve` on loopback (median of {args.runs} runs)")
        ok = True
        for parallel in (8, 1):
            applies, plans = [], []
            for run in range(args.runs):
                db = os.path.join(work, f"platform-{parallel}-{run}.sqlite")
                server, url = start_server(db, token)
                try:
                    start = time.perf_counter()
                    done = subprocess.run([BINARY, "apply", "--repo", work, "--platform", url, "--parallel", str(parallel)],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    applies.append(time.perf_counter() - start)
                    if done.returncode != 0:
                        sys.exit(f"apply exited {done.returncode}: {done.stderr.decode()[-2000:]}")
                    start = time.perf_counter()
                    done = subprocess.run([BINARY, "plan", "--repo", work, "--platform", url, "--detailed-exitcode"],
                                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    plans.append(time.perf_counter() - start)
                    if done.returncode != 0:
                        sys.exit(f"plan after apply exited {done.returncode} (expected 0, no changes)")
                finally:
                    server.terminate()
                    server.wait()
            apply_s, plan_s = statistics.median(applies), statistics.median(plans)
            print(f"  --parallel {parallel}:  apply {apply_s:6.3f} s   no-change plan {plan_s:6.3f} s")
            if parallel == 8:
                ok = apply_s < 2.0 and plan_s < 1.0
        print("  targets: apply < 2 s, no-change plan < 1 s (with the default --parallel 8)")
        return ok
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    validate = sub.add_parser("validate", help="validate N agent files vs check-jsonschema")
    validate.add_argument("--agents", type=int, default=10000)
    validate.add_argument("--runs", type=int, default=3)
    apply = sub.add_parser("apply", help="apply N changed agents to platform serve, then a no-change plan")
    apply.add_argument("--agents", type=int, default=1000)
    apply.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    build()
    ok = {"validate": bench_validate, "apply": bench_apply}[args.benchmark](args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
