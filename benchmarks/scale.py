"""Scale benchmark: `cnbudget refresh` on synthetic corpora (benchmarks/corpus.py) of N documents.

For each N: a full refresh into a new warehouse, a refresh with nothing changed, and a refresh after
one document changed; each with wall time, CPU time (all processes), peak RSS (sum over the refresh's
process tree, sampled every 0.2 s;
also the summed PSS, which counts a page shared by forked processes once) and the time of each stage as the CLI prints it.

    python benchmarks/scale.py [N ...]          # default: 100 1000
    python benchmarks/scale.py --keep DIR N     # keep corpora and warehouses in DIR
    python benchmarks/scale.py --text-only N    # text documents only, as the goals are stated
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import write_corpus  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
_STAGE = re.compile(r"^\[\d/6\] (.+?): done in ([\d.]+)s")
_STARTED = re.compile(r"^\[\d/6\] (.+?): started")
_PAGE = os.sysconf("SC_PAGE_SIZE")


_TICK = os.sysconf("SC_CLK_TCK")


def _pss(pid: int) -> int:
    """Proportional set size in bytes: resident pages with each shared page divided among the
    processes that map it (the forked step processes share their loaded code with the server)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _role(pid: int) -> str:
    """What a process of the refresh is, for the memory breakdown: the CLI, dbt, a Dagster step."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().decode(errors="replace").split("\0")
    except OSError:
        return "gone"
    text = " ".join(words)
    if "orchestration.cli" in text:
        return "cli"
    if "/dbt " in text + " ":
        return "dbt"
    if "forkserver" in text:
        return "step processes (forkserver)"
    return "other"


def _tree_rss(
    root: int, cpu: dict[int, float] | None = None, parts: dict[str, int] | None = None
) -> tuple[int, int]:
    """Resident bytes (RSS summed, PSS summed) of a process and all its descendants (from /proc);
    `cpu` gets each one's CPU seconds so far (the last value seen counts for a process that ends
    between samples)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry), int(fields[1])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = int(fields[21]) * _PAGE
        # utime + stime: its own CPU only (cutime/cstime would count its reaped children twice)
        ticks[pid] = int(fields[11]) + int(fields[12])
    total, proportional, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        pss = _pss(pid)
        proportional += pss
        if parts is not None:
            parts[_role(pid)] = parts.get(_role(pid), 0) + pss
        if cpu is not None and pid in ticks:
            cpu[pid] = max(cpu.get(pid, 0.0), ticks[pid] / _TICK)
        todo += children.get(pid, [])
    return total, proportional


def run_refresh(sources: Path, warehouse: Path) -> dict:
    env = {**os.environ, "DAGSTER_DISABLE_TELEMETRY": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("DAGSTER_HOME", None)
    cli = [
        sys.executable,
        "-m",
        "orchestration.cli",
        "refresh",
        "--sources",
        str(sources),
        "--warehouse",
        str(warehouse),
    ]
    before = os.times()
    started = time.monotonic()
    process = subprocess.Popen(
        cli, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak = [0, 0]
    at_peak: dict[str, int] = {}
    cpu: dict[int, float] = {}
    # The stage running when the PSS peaked, from the CLI's "[k/6] <stage>: started" lines as they come.
    stage = ["before the first stage"]
    peak_when = [0.0, stage[0]]
    lines: list[str] = []

    def read() -> None:
        for line in process.stdout:
            lines.append(line)
            started_stage = _STARTED.match(line)
            if started_stage:
                stage[0] = started_stage.group(1)

    def sample() -> None:
        while process.poll() is None:
            parts: dict[str, int] = {}
            rss, pss = _tree_rss(process.pid, cpu, parts)
            peak[0] = max(peak[0], rss)
            if pss > peak[1]:
                peak[1] = pss
                at_peak.clear()
                at_peak.update(parts)
                peak_when[:] = [time.monotonic() - started, stage[0]]
            time.sleep(0.2)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    process.wait()
    reader.join()
    output = "".join(lines)
    wall = time.monotonic() - started
    sampler.join()
    after = os.times()
    stages: dict[str, float] = {}
    for line in output.splitlines():
        match = _STAGE.match(line)
        if match:
            stages[match.group(1)] = float(match.group(2))
    if process.returncode != 0:
        print(output[-3000:], file=sys.stderr)
    return {
        "ok": process.returncode == 0,
        "wall": wall,
        # CPU of every process of the refresh's tree as last sampled (/proc, every 0.2 s), or what the
        # waited-for children report, whichever saw more (a step process may end between samples).
        "cpu": max(
            sum(cpu.values()),
            (after.children_user - before.children_user) + (after.children_system - before.children_system),
        ),
        "peak_rss_mb": peak[0] / 2**20,
        "peak_pss_mb": peak[1] / 2**20,
        "pss_at_peak_mb": {role: size / 2**20 for role, size in sorted(at_peak.items())},
        "peak_at": (peak_when[0], peak_when[1]),
        "stages": stages,
    }


def _change_one(sources: Path) -> None:
    """One amount of the middle text document changed by one digit."""
    texts = sorted(path for path in sources.iterdir() if path.suffix == ".txt")
    path = texts[len(texts) // 2]
    text = path.read_text(encoding="utf-8")
    match = re.search(r"(?<![\d.])(\d{2,}\.\d\d)(?![\d.%])", text)
    old = match.group(1)
    path.write_text(
        text[: match.start()] + old[:-1] + str((int(old[-1]) + 1) % 10) + text[match.end() :],
        encoding="utf-8",
    )


_README_SQL = re.compile(r'(?:con|duckdb)\.sql\(f?"""(.*?)"""\)', re.S)


def readme_queries() -> list[str]:
    """The SQL of the README's "Querying" examples, taken from the README itself (one source)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [" ".join(sql.split()) for sql in _README_SQL.findall(text)]


def time_queries(warehouse: Path, runs: int = 5) -> list[float]:
    """Median milliseconds of each README query on the warehouse and its latest release."""
    import duckdb

    release = warehouse / "releases" / (warehouse / "releases" / "LATEST").read_text().strip()
    timings = []
    with duckdb.connect(str(warehouse / "cnbudget.duckdb"), read_only=True) as con:
        for sql in readme_queries():
            sql = sql.replace("{release}", str(release))
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                con.sql(sql).fetchall()
                samples.append((time.perf_counter() - started) * 1000)
            timings.append(sorted(samples)[len(samples) // 2])
    return timings


def _print(n: int, scenario: str, result: dict) -> None:
    stages = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in result["stages"].items())
    print(
        f"N={n:>6} {scenario:<16} wall {result['wall']:7.1f}s  cpu {result['cpu']:7.1f}s  "
        f"peak RSS {result['peak_rss_mb']:7.0f} MB (PSS {result['peak_pss_mb']:.0f} MB)  "
        f"{'ok' if result['ok'] else 'FAILED'}\n    {stages}\n"
        f"    PSS at the peak ({result['peak_at'][0]:.0f} s, {result['peak_at'][1]}): "
        + ", ".join(f"{role} {mb:.0f} MB" for role, mb in result["pss_at_peak_mb"].items()),
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[100, 1000])
    parser.add_argument("--keep", metavar="DIR")
    parser.add_argument(
        "--text-only", action="store_true", help="the seeds' text layouts only (the goals' corpus)"
    )
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="cnbudget-scale-"))
    try:
        for n in args.sizes:
            kind = "text" if args.text_only else "mixed"
            sources, warehouse = root / f"corpus_{kind}_{n}", root / f"warehouse_{kind}_{n}"
            shutil.rmtree(warehouse, ignore_errors=True)
            write_corpus(n, sources, text_only=args.text_only)
            full = run_refresh(sources, warehouse)
            _print(n, "full refresh", full)
            if full["ok"]:
                queries = ", ".join(f"{ms:.0f} ms" for ms in time_queries(warehouse))
                print(f"    README queries (median of 5): {queries}", flush=True)
            unchanged = run_refresh(sources, warehouse)
            _print(n, "nothing changed", unchanged)
            _change_one(sources)
            changed = run_refresh(sources, warehouse)
            _print(n, "one changed", changed)
            print(f"    one changed / full: {changed['wall'] / full['wall']:.1%}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
