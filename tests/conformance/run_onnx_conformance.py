#!/usr/bin/python3
"""ONNX's own node tests (Debian's libonnx-testdata) through `keymac infer`.

Every test directory under DATA (test_*/model.onnx + test_data_set_N/
input_K.pb, output_K.pb) is run with `keymac infer` in float mode (all jobs of
one process through `keymac infer --jobs`, so the start-up cost is paid once
per worker). Each test ends as one of:

  pass  keymac's outputs match the expected ones: same shape, and
        |out - expected| <= atol + rtol * |expected| elementwise (ONNX's
        backend-test defaults rtol 1e-3, atol 1e-7);
  skip  keymac refused the model with its own one-line refusal, and that line
        names an operator, or contains a feature phrase, that docs/CONFORMANCE.md
        lists as unsupported (the tables between the unsupported-* markers);
  fail  anything else: wrong values or shape, a refusal the docs do not list
        (a supported operator that does not work), a crash.

Support is decided by the importer's refusal line, never by a list of the ops
keymac is thought to support. The run passes when no test fails. --markdown
--write-docs rewrites the skip list of docs/CONFORMANCE.md. Errors: one line, exit 2.
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

PROG = "run_onnx_conformance.py"
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
RTOL, ATOL = 1e-3, 1e-7
OP_RE = re.compile(r"unsupported operator '(?:[A-Za-z0-9_.]*\.)?([A-Za-z0-9_]+)'")
NODE_OP_RE = re.compile(r"node '[^']*' \(([A-Za-z0-9_]+)\): ")


def read_docs(path):
    """(unsupported op names, unsupported feature phrases) from the docs' marked tables."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        sys.exit(f"{PROG}: cannot read {path}: {e.strerror}")

    def table(marker):
        m = re.search(rf"<!-- {marker}:begin -->(.*?)<!-- {marker}:end -->", text, re.S)
        if not m:
            sys.exit(f"{PROG}: {path}: no '<!-- {marker}:begin -->' ... ':end -->' table")
        rows = []
        for line in m.group(1).splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 2 and cells[0].startswith("`") and cells[0].endswith("`"):
                rows.append(cells[0].strip("`"))
        return rows

    return set(table("unsupported-ops")), table("unsupported-features")


def classify_refusal(line, ops, features):
    """The docs entry that makes this refusal a skip, or None (a failure)."""
    m = OP_RE.search(line)
    if m and m.group(1) in ops:
        return f"unsupported operator {m.group(1)}"
    for phrase in features:
        if phrase in line:
            return phrase
    return None


def expected_outputs(ds):
    outs = []
    for f in sorted(glob.glob(os.path.join(ds, "output_*.pb")), key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0])):
        t = onnx.TensorProto()
        t.ParseFromString(open(f, "rb").read())
        outs.append(numpy_helper.to_array(t))
    return outs


def run_chunk(keymac, jobs, tmp, idx):
    path = os.path.join(tmp, f"jobs{idx}.txt")
    with open(path, "w") as f:
        for j in jobs:
            f.write("\t".join([j["model"], j["out"]] + j["inputs"]) + "\n")
    r = subprocess.run([keymac, "infer", "--jobs", path], capture_output=True, text=True, timeout=600)
    lines = r.stdout.splitlines()
    if len(lines) != len(jobs):
        return [f"keymac infer --jobs printed {len(lines)} lines for {len(jobs)} jobs (exit {r.returncode}): "
                f"{r.stderr.strip()[:300]}"] * len(jobs)
    return lines


def debian_version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "version unknown"


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("--keymac", required=True)
    ap.add_argument("--docs", required=True, help="docs/CONFORMANCE.md (the unsupported lists)")
    ap.add_argument("--data", default=DEFAULT_DATA, help="directory of test_* node tests")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--filter", default="", help="only tests whose name contains this")
    ap.add_argument("--write-docs", action="store_true", help="rewrite the skip list section of --docs")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    if not os.path.isdir(args.data):
        sys.exit(f"{PROG}: {args.data}: no ONNX node tests (install Debian package libonnx-testdata)")
    ops, features = read_docs(args.docs)
    t0 = time.time()
    tests = sorted(d for d in glob.glob(os.path.join(args.data, "test_*")) if args.filter in os.path.basename(d))
    results, test_ops = {}, {}
    with tempfile.TemporaryDirectory(prefix="keymac-conformance-") as tmp:
        jobs = []
        for d in tests:
            name = os.path.basename(d)
            model = os.path.join(d, "model.onnx")
            try:
                test_ops[name] = {n.op_type for n in onnx.load(model, load_external_data=False).graph.node}
            except Exception:  # an unreadable model is keymac's to refuse
                test_ops[name] = set()
            for ds in sorted(glob.glob(os.path.join(d, "test_data_set_*"))):
                inputs = sorted(glob.glob(os.path.join(ds, "input_*.pb")),
                                key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
                if not os.path.exists(model):
                    results[name] = ("fail", "no model.onnx")
                    continue
                out = os.path.join(tmp, f"{name}.{os.path.basename(ds)}.out.pb")
                jobs.append({"test": name, "ds": ds, "model": model, "inputs": inputs, "out": out})
        n = max(1, args.workers)
        chunks = [jobs[i::n] for i in range(n)]
        with concurrent.futures.ThreadPoolExecutor(n) as ex:
            lines = list(ex.map(lambda ic: run_chunk(args.keymac, ic[1], tmp, ic[0]), enumerate(chunks)))
        for chunk, chunk_lines in zip(chunks, lines):
            for job, line in zip(chunk, chunk_lines):
                name = job["test"]
                if results.get(name, ("pass",))[0] != "pass":
                    continue  # an earlier data set already decided this test
                if line.startswith("wrote "):
                    want = expected_outputs(job["ds"])
                    if len(want) != 1:
                        results[name] = ("fail", f"keymac wrote one output, the test expects {len(want)}")
                        continue
                    t = onnx.TensorProto()
                    t.ParseFromString(open(job["out"], "rb").read())
                    got = numpy_helper.to_array(t)
                    exp = want[0]
                    if got.shape != exp.shape:
                        results[name] = ("fail", f"output shape {got.shape}, expected {exp.shape}")
                    elif not np.allclose(got.astype(np.float64), exp.astype(np.float64), rtol=RTOL, atol=ATOL):
                        err = np.max(np.abs(got.astype(np.float64) - exp.astype(np.float64)))
                        results[name] = ("fail", f"outputs differ (max |diff| {err:.3g}, rtol {RTOL}, atol {ATOL})")
                    else:
                        results[name] = ("pass", "")
                    continue
                reason = classify_refusal(line, ops, features)
                if reason is None:
                    results[name] = ("fail", line)
                else:
                    results[name] = ("skip", reason)
    counts = collections.Counter(s for s, _ in results.values())
    if args.write_docs:
        groups = collections.defaultdict(list)
        for name in sorted(results):
            if results[name][0] == "skip":
                groups[results[name][1]].append(name)
        table = ["| reason (docs entry matched by keymac's refusal) | tests | skipped tests |", "|---|---|---|"]
        for why, names in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            table.append(f"| {why} | {len(names)} | {', '.join(n[5:] for n in names)} |")
        table.append(f"\n{counts['pass']} passed, {counts['skip']} skipped, {counts['fail']} failed of {len(results)} "
                     f"(libonnx-testdata {debian_version('libonnx-testdata')}).")
        text = open(args.docs, encoding="utf-8").read()
        m = re.search(r"(<!-- skip-list:begin -->\n).*?(<!-- skip-list:end -->)", text, re.S)
        if not m:
            sys.exit(f"{PROG}: {args.docs}: no '<!-- skip-list:begin -->' ... ':end -->' section")
        text = text[:m.start()] + m.group(1) + "\n".join(table) + "\n" + m.group(2) + text[m.end():]
        tmp = args.docs + ".tmp"
        open(tmp, "w", encoding="utf-8").write(text)
        os.replace(tmp, args.docs)
    listed_but_passing = sorted({m for name, (st, _) in results.items() if st == "pass"
                                 for m in test_ops.get(name, ()) if m in ops})
    if listed_but_passing:
        print(f"note: docs list {', '.join(listed_but_passing)} as unsupported, but tests using them passed: "
              "update docs/CONFORMANCE.md")
    for name in sorted(results):
        status, why = results[name]
        if status == "fail" or args.verbose:
            print(f"{status.upper():5} {name}: {why}")
    by_reason = collections.Counter(why for s, why in results.values() if s == "skip")
    print("skipped, by reason:")
    for why, c in by_reason.most_common():
        print(f"  {c:4} {why}")
    print(f"onnx-conformance: {counts['pass']} passed, {counts['skip']} skipped (listed unsupported), "
          f"{counts['fail']} failed, of {len(results)} node tests in {args.data} ({time.time() - t0:.1f} s)")
    return 1 if counts["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
