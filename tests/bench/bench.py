#!/usr/bin/python3
"""Interleaved start-to-exit benchmark of OCI runtimes (`RUNTIME run`).

Called by tests/bench/run.sh, which prepares the bundle. Every measured
command is

    unshare -m --propagation private sh -c \
        'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' \
        RUNTIME --root ROOT run --bundle BUNDLE ID

(umount being busybox's, see UMOUNT)

so that every runtime (ward included) runs the same way: crun 1.8 refuses
hybrid cgroup hosts unless the cgroup2 mount is out of sight. One more row,
"wrapper", runs the same wrapper with /bin/true instead of a runtime: the
fixed overhead contained in every other row.

Per run, measured by the small C helper spawn.c (fork, exec, wait4): wall
time (fork to reap), CPU time (user + sys of the whole process tree the
wrapper reaps, from wait4's rusage) and peak RSS (ru_maxrss: the largest
single process of that tree, what /usr/bin/time -v reports).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

# busybox's static umount when there is one: util-linux's umount has a
# larger resident set (about 2.7 MiB here) than ward, and ru_maxrss is the
# largest process of the tree, so it would hide the runtime's own figure.
UMOUNT = "/bin/busybox umount" if os.access("/bin/busybox", os.X_OK) else "umount"
WRAP = UMOUNT + ' /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"'


def command(path, root, bundle, cid):
    base = ["unshare", "-m", "--propagation", "private", "sh", "-c", WRAP]
    if path is None:
        return base + ["/bin/true"]
    return base + [path, "--root", root, "run", "--bundle", bundle, cid]


def measure(spawn, argv, errfile, resfile):
    with open(os.devnull, "rb") as devnull_in, open(os.devnull, "wb") as devnull_out, \
            open(errfile, "wb") as err:
        rc = subprocess.call([spawn, resfile] + argv, stdin=devnull_in, stdout=devnull_out,
                             stderr=err)
    if rc != 0:
        return {"ok": False}
    with open(resfile) as f:
        wall_ns, user_us, sys_us, rss_kib, status = (int(x) for x in f.read().split())
    return {
        "ok": status == 0,
        "wall_ms": wall_ns / 1e6,
        "cpu_ms": (user_us + sys_us) / 1000.0,
        "rss_kib": rss_kib,
    }


def version(path):
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=10)
        return out.stdout.splitlines()[0] if out.stdout else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--runtime", action="append", default=[], help="NAME=PATH")
    ap.add_argument("--json", help="write all samples here")
    ap.add_argument("--spawn", required=True, help="the compiled spawn.c")
    # Each run starts on a settled kernel: a cgroup v1 migration waits for an
    # RCU grace period unless another one happened a moment before, so
    # back-to-back runs would hand that cost to whichever runtime comes first.
    ap.add_argument("--gap-ms", type=int, default=100,
                    help="pause before every run (default 100)")
    args = ap.parse_args()

    runtimes = [("wrapper", None)]
    for spec in args.runtime:
        name, path = spec.split("=", 1)
        runtimes.append((name, path))

    samples = {name: [] for name, _ in runtimes}
    failures = {name: 0 for name, _ in runtimes}
    first_error = {}
    tag = os.getpid()
    total = args.warmup + args.runs
    for i in range(total):
        # rotate the order so that no runtime always runs first after a pause
        k = i % len(runtimes)
        order = runtimes[k:] + runtimes[:k]
        for name, path in order:
            root = os.path.join(args.workdir, "root-" + name)
            cid = "bench-%d-%s-%d" % (tag, name, i)
            errfile = os.path.join(args.workdir, "stderr-" + name)
            resfile = os.path.join(args.workdir, "result")
            time.sleep(args.gap_ms / 1000.0)
            r = measure(args.spawn, command(path, root, args.bundle, cid), errfile, resfile)
            if not r["ok"]:
                failures[name] += 1
                if name not in first_error:
                    with open(errfile, errors="replace") as f:
                        first_error[name] = f.read().strip()[:500]
                continue
            if i >= args.warmup:
                samples[name].append(r)
        sys.stderr.write("\rrun %d/%d" % (i + 1, total))
        sys.stderr.flush()
    sys.stderr.write("\n")

    def stats(name):
        s = samples[name]
        if not s:
            return None
        return {
            "runs": len(s),
            "wall_ms": statistics.median(x["wall_ms"] for x in s),
            "cpu_ms": statistics.median(x["cpu_ms"] for x in s),
            "rss_peak_mib": max(x["rss_kib"] for x in s) / 1024.0,
            "rss_median_mib": statistics.median(x["rss_kib"] for x in s) / 1024.0,
        }

    results = {name: stats(name) for name, _ in runtimes}

    print("date:     %s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    print("machine:  %s, %d CPUs, kernel %s" % (cpu_model(), os.cpu_count() or 0, platform.release()))
    for name, path in runtimes:
        if path:
            print("%-9s %s (%s)" % (name + ":", version(path), path))
    print("runs:     %d per runtime (+%d warm-up), interleaved, bundle running /bin/true" % (args.runs, args.warmup))
    print("gap:      %d ms before every run, so that none inherits the kernel state of the one before" % args.gap_ms)
    print("how:      every runtime, ward included, runs as")
    print("          unshare -m --propagation private sh -c '%s /sys/fs/cgroup/unified; exec RUNTIME \"$@\"' RUNTIME --root R run --bundle B ID" % UMOUNT)
    print("          'wrapper' is that wrapper running /bin/true: its time is included in every row,")
    print("          and its peak RSS is the floor of the RSS column (the largest process of the tree)")
    print()
    print("| runtime | median wall (ms) | median CPU user+sys (ms) | peak RSS (MiB) | median RSS (MiB) | failed runs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, _ in runtimes:
        r = results[name]
        if r is None:
            print("| %s | - | - | - | - | %d |" % (name, failures[name]))
        else:
            print("| %s | %.1f | %.1f | %.2f | %.2f | %d |" % (
                name, r["wall_ms"], r["cpu_ms"], r["rss_peak_mib"], r["rss_median_mib"], failures[name]))
    print()
    ward = results.get("ward")
    for other in ("crun", "runc"):
        o = results.get(other)
        if ward and o:
            print("ward/%s: wall %.2f, CPU %.2f, peak RSS %.2f" % (
                other, ward["wall_ms"] / o["wall_ms"], ward["cpu_ms"] / o["cpu_ms"],
                ward["rss_peak_mib"] / o["rss_peak_mib"]))
        elif other in results:
            print("ward/%s: n/a" % other)
    for name, msg in first_error.items():
        print("first error of %s: %s" % (name, msg))

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "failures": failures, "samples": samples,
                       "runs": args.runs, "warmup": args.warmup}, f, indent=1)
    return 1 if any(failures[n] for n, p in runtimes if p) else 0


if __name__ == "__main__":
    sys.exit(main())
