"""Benchmark `mamori hunt` end to end, and optionally against Zircolite on the same files.

Run it as ``.venv/bin/python benchmarks/bench_hunt.py`` (that is ``make bench``); see
``benchmarks/README.md`` for what each figure means and how to set up the Zircolite peer.

Every tool runs as a subprocess of its real command line, because that is what a user waits
for: interpreter start-up, imports, rule loading and output writing all count. Wall time is
``time.perf_counter`` around the child; peak RSS comes from ``os.wait4`` on that one child, so
an earlier, larger run cannot mask a later one (``RUSAGE_CHILDREN`` keeps a running maximum).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import orjson

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_EVTX = SHARED_DATA / "evtx"
DEFAULT_RULES = SHARED_DATA / "sigma" / "rules" / "windows"
QUICK_RULES_SUBDIR = "process_creation"
DEFAULT_ZIRCOLITE_DIR = Path("/tmp/zircolite")
DEFAULT_ZIRCOLITE_PYTHON = Path("/tmp/zvenv/bin/python")
DEFAULT_REPORT = Path("/tmp/mamori-bench-report.txt")
ZIRCOLITE_PIPELINES = ("sysmon", "windows-logsources")
MAX_EXAMPLES = 20
TAIL_CHARS = 2000

# (rule key, evtx file basename, EventRecordID): the one identity both tools can report.
Triple = tuple[str, str, int]
COPY_PREFIX = re.compile(r"^c\d+-")


@dataclass
class Detections:
    """A tool's findings reduced to comparable triples, with titles to make them readable."""

    triples: set[Triple] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """One measured invocation of a tool."""

    tool: str
    label: str
    wall_s: float
    peak_rss_mb: float
    exit_code: int
    detections: int | None = None
    events: int | None = None
    ok: bool = True
    note: str = ""

    def events_per_s(self) -> float | None:
        """Throughput over the whole command, start-up included, as a user sees it."""
        if not self.events or self.wall_s <= 0:
            return None
        return self.events / self.wall_s


@dataclass
class Comparison:
    """How the detection sets of mamori and Zircolite differ on the same corpus."""

    both: int
    only_mamori: int
    only_zircolite: int
    rules_only_mamori: int = 0
    rules_only_zircolite: int = 0


@dataclass
class Results:
    """Everything the benchmark measured, for the table and for ``--json``."""

    corpus_files: int = 0
    corpus_copies: int = 0
    corpus_events: int | None = None
    corpus_mb: float = 0.0
    rule_files: int = 0
    rules_dir: str = ""
    runs: list[Run] = field(default_factory=list)
    rules_per_s: float | None = None
    rules_per_s_method: str = "n/a"
    cache_saved_s: float | None = None
    ratio_vs_zircolite_cold: float | None = None
    ratio_vs_zircolite_warm: float | None = None
    zircolite_convert_s: float | None = None
    comparison: Comparison | None = None
    skipped: list[str] = field(default_factory=list)
    report_path: str | None = None


def log(message: str) -> None:
    """Progress goes to stderr so that ``--json`` leaves stdout machine-readable."""
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus


def find_evtx(root: Path) -> list[Path]:
    """All .evtx files under root, sorted so copy names are stable from run to run."""
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".evtx")


def corpus_name(copy: int, source: Path, source_root: Path) -> str:
    """A basename unique across the whole corpus.

    Zircolite reports only the basename of the file an event came from (``OriginalLogfile``),
    so every copy must have its own basename or copies would collapse into one in the
    comparison. A short hash of the source's relative path keeps two same-named files in
    different source folders apart too.
    """
    rel = source.relative_to(source_root).as_posix()
    digest = hashlib.sha1(rel.encode(), usedforsecurity=False).hexdigest()[:6]
    return f"c{copy}-{digest}-{source.name}"


def build_corpus(sources: Sequence[Path], source_root: Path, dest: Path, copies: int) -> None:
    """Copy the sample logs ``copies`` times into one flat folder.

    Real copies rather than hard links, so the tools cannot profit from a file being read
    once for several names.
    """
    dest.mkdir(parents=True)
    for copy in range(1, copies + 1):
        for source in sources:
            shutil.copyfile(source, dest / corpus_name(copy, source, source_root))


def count_events(files: Iterable[Path]) -> int | None:
    """Count records with the same EVTX parser mamori uses; None if it is not importable."""
    try:
        import evtx  # imported here: the rest of the harness must run without it
    except ImportError:
        return None
    total = 0
    for path in files:
        records = evtx.PyEvtxParser(str(path)).records()
        errors = 0
        while errors < 1000:  # a damaged chunk raises per record; stop if it never ends
            try:
                next(records)
            except StopIteration:
                break
            except Exception:  # the parser's errors have no common public base class
                errors += 1
                continue
            total += 1
    return total


def count_rule_files(rules: Path) -> int:
    """Sigma rule files as a user would count them: every .yml/.yaml under the folder."""
    return sum(1 for p in rules.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml"})


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


# --------------------------------------------------------------------------- measuring


@dataclass
class Measured:
    """Raw result of one child process."""

    wall_s: float
    peak_rss_kib: int
    exit_code: int
    stdout_tail: str
    stderr_tail: str


def tail(path: Path) -> str:
    text = path.read_text(errors="replace")
    return text[-TAIL_CHARS:]


def measure(cmd: Sequence[str], cwd: Path, log_dir: Path, name: str) -> Measured:
    """Run cmd to completion; return wall time and this child's own peak RSS.

    ``os.wait4`` gives the rusage of exactly this child (plus any grandchildren it reaped),
    unlike a ``RUSAGE_CHILDREN`` delta, whose ru_maxrss is a maximum and never goes down.
    Output goes to files so a chatty tool can neither block on a full pipe nor pay for
    a terminal.
    """
    out_path, err_path = log_dir / f"{name}.stdout", log_dir / f"{name}.stderr"
    env = {**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    with out_path.open("wb") as out, err_path.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, env=env)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C: do not leave a tool running in the background
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
    exit_code = os.waitstatus_to_exitcode(status)
    proc.returncode = exit_code  # already reaped; keep Popen from waiting again
    return Measured(wall, usage.ru_maxrss, exit_code, tail(out_path), tail(err_path))


def to_run(tool: str, label: str, m: Measured, ok: bool) -> Run:
    note = "" if ok else f"exit {m.exit_code}: {(m.stderr_tail or m.stdout_tail).strip()[-500:]}"
    return Run(tool, label, m.wall_s, m.peak_rss_kib / 1024, m.exit_code, ok=ok, note=note)


# --------------------------------------------------------------------------- mamori


def mamori_executable() -> Path:
    """The console script installed beside the interpreter running this benchmark."""
    return Path(sys.executable).parent / "mamori"


def mamori_available(mamori: Path) -> bool:
    """True when ``mamori hunt --help`` answers, i.e. the CLI is installed and importable."""
    if not mamori.exists():
        return False
    probe = subprocess.run(
        [str(mamori), "hunt", "--help"], capture_output=True, timeout=120, check=False
    )
    return probe.returncode == 0


def run_mamori_hunt(
    mamori: Path, corpus: Path, rules: Path, cache: Path, work: Path, label: str
) -> tuple[Run, Detections]:
    """One ``mamori hunt`` over the corpus; exit 0 (nothing) and 1 (detections) both succeed."""
    output = work / f"mamori-{label}.jsonl"
    cmd = [
        str(mamori), "hunt", str(corpus), "--rules", str(rules),
        "--format", "jsonl", "--output", str(output), "--no-progress",
        "--cache-dir", str(cache),
    ]  # fmt: skip
    m = measure(cmd, REPO_ROOT, work, f"mamori-{label}")
    run = to_run("mamori", label, m, ok=m.exit_code in (0, 1) and output.exists())
    found = Detections()
    if run.ok:
        records = read_jsonl(output)
        run.detections = len(records)
        found = mamori_detections(records)
    return run, found


def read_jsonl(path: Path) -> list[dict]:
    with path.open("rb") as f:
        return [orjson.loads(line) for line in f if line.strip()]


def rule_key(rule_id: object, title: object) -> str:
    """Rules are matched by Sigma id; by title only for a rule that has no id."""
    return str(rule_id) if rule_id else f"title:{title}"


def as_record_id(value: int | str) -> int:
    """EventRecordID may be written as a number or a string; compare it as a number."""
    return int(value)


def mamori_detections(records: Iterable[dict]) -> Detections:
    """mamori's JSONL: one record per (rule, event), ``source_file`` being the file's path.

    A record without a file or record id (a correlation over many events) has no single
    event to compare, so it is left out of the sets; it still counts as a detection.
    """
    found = Detections()
    for r in records:
        if r.get("source_file") is None or r.get("record_id") is None:
            continue
        key = rule_key(r.get("rule_id"), r.get("rule_title"))
        found.titles[key] = str(r.get("rule_title", ""))
        found.triples.add((key, Path(str(r["source_file"])).name, as_record_id(r["record_id"])))
    return found


def measure_rule_compilation(mamori: Path, rules: Path, work: Path) -> Run | None:
    """Time ``mamori rules check --no-cache``: compiling every rule and nothing else.

    Exit 1 only means some rules cannot be used (normal for all of SigmaHQ); the compile
    still happened, so it counts. Anything else means the command is missing or broke.
    """
    cmd = [str(mamori), "rules", "check", "--rules", str(rules), "--no-cache", "--no-progress"]
    m = measure(cmd, REPO_ROOT, work, "mamori-rules-check")
    if m.exit_code not in (0, 1):
        return None
    return Run("mamori", "rules check", m.wall_s, m.peak_rss_kib / 1024, m.exit_code)


def rules_per_second(
    check: Run | None, cold: Run, warm: Run, n_rules: int
) -> tuple[float | None, str]:
    """Prefer the dedicated command; fall back to what the cache saved between cold and warm."""
    if check is not None and check.wall_s > 0:
        return n_rules / check.wall_s, "mamori rules check --no-cache (incl. start-up)"
    saved = cold.wall_s - warm.wall_s
    if cold.ok and warm.ok and saved > 0:
        return n_rules / saved, "estimate: rule files / (cold - warm wall)"
    return None, "n/a"


# --------------------------------------------------------------------------- zircolite


def zircolite_missing(zdir: Path, zpython: Path) -> str | None:
    """Why Zircolite cannot run, or None when it can."""
    if not (zdir / "zircolite.py").is_file():
        return f"no Zircolite checkout at {zdir}"
    if not zpython.is_file():
        return f"no Zircolite interpreter at {zpython}"
    return None


def run_zircolite(
    zdir: Path, zpython: Path, corpus: Path, rules: Path, work: Path
) -> tuple[Run, Detections]:
    """Zircolite exactly as ../shared/peers/README.md runs it, on the benchmark's corpus.

    It runs from its checkout (it reads ``config/`` relative to the working directory) but
    writes its log into the work dir so the checkout stays untouched.
    """
    output, logfile = work / "zircolite.json", work / "zircolite.log"
    cmd = [str(zpython), "zircolite.py", "-e", str(corpus), "-r", str(rules)]
    for pipeline in ZIRCOLITE_PIPELINES:
        cmd += ["-p", pipeline]
    cmd += ["-o", str(output), "-l", str(logfile)]
    m = measure(cmd, zdir, work, "zircolite")
    run = to_run("zircolite", "convert+hunt", m, ok=m.exit_code == 0 and output.exists())
    if not run.ok:
        return run, Detections()
    rules_out = orjson.loads(output.read_bytes())
    run.detections = sum(len(r.get("matches", [])) for r in rules_out)
    run.events = zircolite_event_count(logfile)
    return run, zircolite_detections(rules_out)


def zircolite_detections(rules_out: Sequence[dict]) -> Detections:
    """Zircolite's JSON: one object per matched rule (``id``, ``title``, ``matches``); each
    match is the flattened event, with ``OriginalLogfile`` (basename) and ``EventRecordID``."""
    found = Detections()
    for rule in rules_out:
        key = rule_key(rule.get("id"), rule.get("title"))
        found.titles[key] = str(rule.get("title", ""))
        for match in rule.get("matches", []):
            record = as_record_id(match["EventRecordID"])
            found.triples.add((key, str(match["OriginalLogfile"]), record))
    return found


def zircolite_event_count(logfile: Path) -> int | None:
    """Zircolite logs ``Total events processed: N`` (with rich markup around N)."""
    if not logfile.exists():
        return None
    counts = re.findall(r"Total events processed:\D*([\d,]+)", logfile.read_text(errors="replace"))
    return sum(int(c.replace(",", "")) for c in counts) if counts else None


def zircolite_convert_seconds(logfile: Path) -> float | None:
    """Time Zircolite spent turning Sigma into SQL, from its log (1 s resolution).

    It converts on every run, so this is part of its wall time; knowing it separates
    "slow to start" from "slow to hunt" when reading the ratio.
    """
    if not logfile.exists():
        return None
    stamps: dict[str, datetime] = {}
    for line in logfile.read_text(errors="replace").splitlines():
        for marker in ("Loading ruleset", "rules loaded"):
            if marker in line and marker not in stamps:
                stamps[marker] = datetime.strptime(line[:19], "%Y-%m-%d %H:%M:%S")
    if len(stamps) < 2:
        return None
    return (stamps["rules loaded"] - stamps["Loading ruleset"]).total_seconds()


# --------------------------------------------------------------------------- comparison


def compare(mamori: Detections, zircolite: Detections) -> Comparison:
    m, z = mamori.triples, zircolite.triples
    only_m, only_z = m - z, z - m
    rules_m = {t[0] for t in m}
    rules_z = {t[0] for t in z}
    return Comparison(
        both=len(m & z),
        only_mamori=len(only_m),
        only_zircolite=len(only_z),
        rules_only_mamori=len(rules_m - rules_z),
        rules_only_zircolite=len(rules_z - rules_m),
    )


def difference_section(
    heading: str, diff: set[Triple], titles: dict[str, str], top_rules: int = 15
) -> list[str]:
    """Which rules account for a difference, then concrete examples to look up."""
    lines = [f"== {heading}: {len(diff)} (rule, file, record) triples", ""]
    by_rule = Counter(t[0] for t in diff)
    lines.append(f"-- by rule (top {top_rules} of {len(by_rule)})")
    for key, n in by_rule.most_common(top_rules):
        lines.append(f"{n:6d}  {key}  {titles.get(key, '')}")
    lines += ["", f"-- examples (up to {MAX_EXAMPLES}; copies of one source event shown once)"]
    for (key, name, record), copies in sorted(collapse_copies(diff).items())[:MAX_EXAMPLES]:
        lines.append(
            f"{key}  {titles.get(key, '')!r}  {name}  EventRecordID={record}  copies={copies}"
        )
    return [*lines, ""]


def collapse_copies(triples: Iterable[Triple]) -> Counter[Triple]:
    """Fold the corpus copies of one source event together: one example, not five alike."""
    return Counter((key, COPY_PREFIX.sub("", name), record) for key, name, record in triples)


def write_report(
    path: Path,
    results: Results,
    mamori: Detections,
    zircolite: Detections,
) -> None:
    """Write the detail a human needs to chase a difference; the console gets counts only."""
    c = results.comparison
    assert c is not None
    lines = [
        "mamori vs Zircolite detection sets",
        f"corpus: {results.corpus_files} files ({results.corpus_copies} copies), "
        f"rules: {results.rules_dir} ({results.rule_files} files)",
        "identity: (Sigma rule id, evtx file basename, EventRecordID)",
        f"both: {c.both}  only mamori: {c.only_mamori}  only Zircolite: {c.only_zircolite}",
        f"rules firing only in mamori: {c.rules_only_mamori}, "
        f"only in Zircolite: {c.rules_only_zircolite}",
        "",
    ]
    titles = {**zircolite.titles, **mamori.titles}
    only_m, only_z = mamori.triples - zircolite.triples, zircolite.triples - mamori.triples
    lines += difference_section("found by mamori only", only_m, titles)
    lines += difference_section("found by Zircolite only", only_z, titles)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------- output


def fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def summary_table(r: Results) -> str:
    """Plain text: readable in a terminal and in a CI log alike."""
    lines = [
        f"corpus: {r.corpus_files} evtx files ({r.corpus_copies} copies), "
        f"{r.corpus_mb:.1f} MB, {fmt(r.corpus_events, ',d')} events",
        f"rules:  {r.rule_files} rule files in {r.rules_dir}",
        "",
        f"{'tool':<10} {'run':<13} {'wall s':>8} {'events/s':>10} {'peak RSS MB':>12} "
        f"{'detections':>11} {'exit':>5}",
    ]
    for run in r.runs:
        lines.append(
            f"{run.tool:<10} {run.label:<13} {run.wall_s:>8.2f} "
            f"{fmt(run.events_per_s(), ',.0f'):>10} {run.peak_rss_mb:>12.1f} "
            f"{fmt(run.detections, ',d'):>11} {run.exit_code:>5}"
        )
    lines.append("")
    lines.append(f"rules compiled/s: {fmt(r.rules_per_s, ',.0f')}  ({r.rules_per_s_method})")
    if r.cache_saved_s is not None:
        lines.append(f"rule cache saves {r.cache_saved_s:.2f} s per hunt (cold - warm wall)")
    if r.ratio_vs_zircolite_cold is not None:
        lines.append(
            "speed mamori/zircolite (zircolite wall / mamori wall): "
            f"cold {r.ratio_vs_zircolite_cold:.2f}x, warm {fmt(r.ratio_vs_zircolite_warm, '.2f')}x"
        )
    if r.zircolite_convert_s is not None:
        lines.append(
            f"zircolite spent ~{r.zircolite_convert_s:.0f} s of its wall converting rules "
            "(from its log; it converts on every run)"
        )
    if r.comparison is not None:
        c = r.comparison
        lines.append(
            f"detections (rule, file, record): both {c.both:,}, only mamori {c.only_mamori:,}, "
            f"only zircolite {c.only_zircolite:,}  -> details in {r.report_path}"
        )
    for run in r.runs:
        if run.note:
            state = "FAILED" if not run.ok else "note"
            lines.append(f"{state}: {run.tool} {run.label}: {run.note}")
    lines += [f"skipped: {s}" for s in r.skipped]
    return "\n".join(lines)


def results_json(r: Results) -> str:
    data = asdict(r)
    for run, obj in zip(r.runs, data["runs"], strict=True):
        obj["events_per_s"] = run.events_per_s()
    return json.dumps(data, indent=2)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--evtx", type=Path, default=DEFAULT_EVTX, help="folder of sample .evtx")
    p.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="Sigma rules folder")
    p.add_argument("--copies", type=int, default=5, help="times the sample logs are copied")
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"1 copy and only the {QUICK_RULES_SUBDIR} rules, to try the harness out",
    )
    p.add_argument("--zircolite-dir", type=Path, default=DEFAULT_ZIRCOLITE_DIR)
    p.add_argument("--zircolite-python", type=Path, default=DEFAULT_ZIRCOLITE_PYTHON)
    p.add_argument("--no-zircolite", action="store_true", help="skip the peer comparison")
    p.add_argument("--no-mamori", action="store_true", help="run only the peer (harness tests)")
    p.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="difference report")
    p.add_argument("--json", action="store_true", help="print results as JSON on stdout")
    p.add_argument("--keep", action="store_true", help="keep the temp corpus and outputs")
    args = p.parse_args(argv)
    if args.quick:
        args.copies = 1
        args.rules = args.rules / QUICK_RULES_SUBDIR
    if args.copies < 1:
        p.error("--copies must be at least 1")
    return args


def bench_mamori(
    args: argparse.Namespace, corpus: Path, work: Path, results: Results
) -> Detections | None:
    """Cold run (empty cache), warm run (same cache), then rule compilation speed."""
    mamori = mamori_executable()
    if args.no_mamori or not mamori_available(mamori):
        why = "--no-mamori" if args.no_mamori else f"`{mamori} hunt --help` does not work"
        results.skipped.append(f"mamori ({why}; run `make install`)")
        return None
    cache = work / "mamori-cache"
    log("mamori hunt, cold cache ...")
    cold, found = run_mamori_hunt(mamori, corpus, args.rules, cache, work, "cold")
    log("mamori hunt, warm cache ...")
    warm, warm_found = run_mamori_hunt(mamori, corpus, args.rules, cache, work, "warm")
    for run in (cold, warm):
        run.events = results.corpus_events
    differ = found.triples ^ warm_found.triples
    if cold.ok and warm.ok and differ:
        warm.note = f"warm detections differ from cold ({len(differ)} triples): cache bug?"
    results.runs += [cold, warm]
    if cold.ok and warm.ok:
        results.cache_saved_s = cold.wall_s - warm.wall_s
    log("mamori rules check ...")
    check = measure_rule_compilation(mamori, args.rules, work)
    if check is not None:
        results.runs.append(check)
    results.rules_per_s, results.rules_per_s_method = rules_per_second(
        check, cold, warm, results.rule_files
    )
    return found if cold.ok else None


def bench_zircolite(
    args: argparse.Namespace, corpus: Path, work: Path, results: Results
) -> Detections | None:
    """Zircolite on the same corpus and rules, when its checkout and venv are at hand."""
    if args.no_zircolite:
        results.skipped.append("zircolite (--no-zircolite)")
        return None
    missing = zircolite_missing(args.zircolite_dir, args.zircolite_python)
    if missing:
        results.skipped.append(
            f"zircolite ({missing}; set it up as ../shared/peers/README.md shows, "
            "or pass --zircolite-dir / --zircolite-python)"
        )
        return None
    log("zircolite (converts the rules, then hunts) ...")
    run, found = run_zircolite(args.zircolite_dir, args.zircolite_python, corpus, args.rules, work)
    results.zircolite_convert_s = zircolite_convert_seconds(work / "zircolite.log")
    if run.ok and results.corpus_events is not None and run.events != results.corpus_events:
        run.note = (
            f"Zircolite loaded {fmt(run.events, ',d')} of the {results.corpus_events:,d} events "
            "(it drops events no rule's channel/EventID can match before loading)"
        )
    if results.corpus_events is not None:
        run.events = results.corpus_events  # same denominator as mamori's events/s
    results.runs.append(run)
    return found if run.ok else None


def speed_ratios(results: Results) -> None:
    """How many times faster mamori finishes the same job; Zircolite converts every run."""
    by_label = {(r.tool, r.label): r for r in results.runs if r.ok}
    z = by_label.get(("zircolite", "convert+hunt"))
    cold, warm = by_label.get(("mamori", "cold")), by_label.get(("mamori", "warm"))
    if z and cold:
        results.ratio_vs_zircolite_cold = z.wall_s / cold.wall_s
    if z and warm:
        results.ratio_vs_zircolite_warm = z.wall_s / warm.wall_s


def run_benchmark(args: argparse.Namespace, work: Path) -> Results:
    sources = find_evtx(args.evtx)
    corpus = work / "corpus"
    log(f"building corpus: {len(sources)} files x {args.copies} in {corpus} ...")
    build_corpus(sources, args.evtx, corpus, args.copies)
    files = find_evtx(corpus)
    results = Results(
        corpus_files=len(files),
        corpus_copies=args.copies,
        corpus_events=count_events(files),
        corpus_mb=folder_mb(corpus),
        rule_files=count_rule_files(args.rules),
        rules_dir=str(args.rules),
    )
    mamori = bench_mamori(args, corpus, work, results)
    peer = bench_zircolite(args, corpus, work, results)
    speed_ratios(results)
    if mamori is not None and peer is not None:
        results.comparison = compare(mamori, peer)
        results.report_path = str(args.report)
        write_report(args.report, results, mamori, peer)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for what, path in (("sample logs", args.evtx), ("Sigma rules", args.rules)):
        if not path.is_dir():
            print(f"bench skipped: {what} not found at {path}")
            return 0
    work = Path(tempfile.mkdtemp(prefix="mamori-bench-"))
    try:
        results = run_benchmark(args, work)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(results_json(results) if args.json else summary_table(results))
    return 0 if all(run.ok for run in results.runs) else 1


if __name__ == "__main__":
    sys.exit(main())
