"""Normalising a province-scale Parquet roster (io/readers/columnar.py) against pyarrow merely reading
the same columns, in the same run.

Each measurement runs in a fresh subprocess, the two alternately (these machines are shared and
noisy: only ratios within one run mean anything); peak memory is the child's max RSS. The roster is
made by a simple vectorised generator below (valid USCCs with a few 注册号, class shares, districts,
statuses, dates, flags, names with full-width brackets) into bench/data/ (not committed).

    python bench/bench_columnar.py                    # 10M rows, 3 rounds
    python bench/bench_columnar.py --rows 1000000 --rounds 1
    python bench/bench_columnar.py --roster bench/data/province-10000000/enterprises   # a given roster

`--roster` takes a roster file or folder made elsewhere (bench/generate_province.py); the plain read
then reads every column of its files. `--baseline SRC` also measures another version's normalisation
(its `src` folder on PYTHONPATH), alternately with ours. `cpu` is the child's user + system time,
threads included: less disturbed than wall time by other processes on a shared machine.

Measured (2 cores shared with other jobs, load average 7 throughout, so wall times are inflated and
noisy; baseline = main at 82c72c3; medians, same run):

| roster | read | normalise | baseline | normalise/read | baseline/read | peak (new, base) |
|---|---:|---:|---:|---:|---:|---:|
| province 1M | 1.1 s, cpu 0.6 | 4.4 s, cpu 2.1 | 5.9 s, cpu 2.5 | 3.9x | 5.2x | 635, 767 MB |
| province 10M | 14.4 s, cpu 5.7 | 42.5 s, cpu 18.5 | 48.4 s, cpu 22.3 | 3.0x | 3.4x | 1546, 1399 MB |
| generated here, 1M | 0.7 s, cpu 0.4 | 3.5 s, cpu 1.6 | 4.1 s, cpu 1.9 | 4.8x | 5.5x | 489, 623 MB |
| generated here, 10M | 3.5 s, cpu 1.7 | 28.3 s, cpu 11.9 | 33.3 s, cpu 13.8 | 8.1x | 9.6x | 1220, 1169 MB |

"province" is bench/generate_province.py's roster (what a bureau exports, 13 columns). The roster
generated here stores its coded columns as dictionaries and its names are short, so its plain read
is cheap and its ratio high.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)
HEADERS = (
    "统一社会信用代码",
    "注册号",
    "企业名称",
    "信用风险等级",
    "所属区域",
    "行业类别",
    "登记机关",
    "经营状态",
    "最近检查日期",
    "重点检查",
)


def _fixed(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) matrix of ASCII bytes."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets.tobytes()), pa.py_buffer(chars.tobytes())]
    )


def _pick(rng: np.random.Generator, words: list[str], n: int, shares: list[float] | None = None) -> pa.Array:
    codes = rng.choice(len(words), size=n, p=shares).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(words))


def _batch(rng: np.random.Generator, start: int, n: int) -> pa.RecordBatch:
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    values = np.empty((n, 18), dtype=np.int64)
    values[:, 0] = 9
    values[:, 1] = rng.choice([1, 2, 3], size=n)
    values[:, 2:8] = rng.integers(0, 10, size=(n, 6))
    # The 9 characters after the region code: the row number in base 31, so every key differs.
    serial = np.arange(start, start + n, dtype=np.int64)
    for position in range(16, 7, -1):
        values[:, position] = serial % 31
        serial //= 31
    values[:, 17] = (31 - (values[:, :17] @ USCC_WEIGHTS) % 31) % 31
    keys = _fixed(alphabet[values])
    # One row in 50: an old 个体工商户 with a 15-digit 注册号 and no USCC.
    old = rng.random(n) < 0.02
    registration = pa.array(np.where(old, 520000000000000 + start + np.arange(n), 0)).cast(pa.string())
    keys = pa.compute.if_else(pa.array(old), pa.nulls(n, pa.string()), keys)
    registration = pa.compute.if_else(pa.array(old), registration, pa.nulls(n, pa.string()))
    number = pa.array(np.arange(start, start + n)).cast(pa.string())
    kinds = _pick(rng, ["餐饮管理有限公司", "食品店", "超市（有限合伙）", "农民专业合作社"], n).cast(
        pa.string()
    )
    names = pa.compute.binary_join_element_wise("贵州某某", number, kinds, "")
    days = rng.integers(18000, 20700, size=n).astype(np.int32)
    dates = pa.Array.from_buffers(pa.date32(), n, [None, pa.py_buffer(days.tobytes())])
    dates = pa.compute.if_else(pa.array(rng.random(n) < 0.6), pa.nulls(n, pa.date32()), dates)
    columns = [
        keys,
        registration,
        names,
        _pick(rng, ["A", "B", "C", "D", "低风险", "高风险"], n, [0.3, 0.45, 0.15, 0.05, 0.03, 0.02]),
        _pick(rng, [f"{c}区" for c in "东南西北中"] + ["观山湖区", "花溪区", "清镇市"], n),
        _pick(rng, ["餐饮服务", "食品销售", "食品生产", "特种设备"], n),
        _pick(rng, ["某某市场监督管理局", "某某区市场监督管理局"], n),
        _pick(
            rng,
            ["存续（在营、开业、在册）", "在业", "注销", "吊销，未注销", "迁出"],
            n,
            [0.6, 0.3, 0.05, 0.04, 0.01],
        ),
        dates,
        pa.array(rng.random(n) < 0.001),
    ]
    return pa.RecordBatch.from_arrays(columns, names=list(HEADERS))


def generate(rows: int) -> Path:
    """The roster file for `rows`, made once."""
    path = DATA / f"province-{rows}.parquet"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20261201)
    partial = path.with_suffix(".partial")
    writer = None
    for start in range(0, rows, 1 << 20):
        batch = _batch(rng, start, min(1 << 20, rows - start))
        writer = writer or pq.ParquetWriter(partial, batch.schema)
        writer.write_batch(batch)
    assert writer is not None
    writer.close()
    partial.rename(path)
    return path


def child_read(path: str) -> dict[str, float]:
    """pyarrow reading the columns the roster has, batch by batch (the floor)."""
    started = time.perf_counter()
    rows = 0
    files = sorted(Path(path).glob("*.parquet")) if Path(path).is_dir() else [Path(path)]
    for file in files:
        source = pq.ParquetFile(file)
        columns = [c for c in HEADERS if c in source.schema_arrow.names] if file.parent == DATA else None
        for batch in source.iter_batches(batch_size=1 << 20, columns=columns):
            rows += batch.num_rows
    return {"seconds": time.perf_counter() - started, "rows": rows}


def child_normalise(path: str) -> dict[str, float]:
    """normalise_roster writing the normalised table to a scratch file, as the engine path does."""
    from shuangsuiji.io.readers.columnar import normalise_roster

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        found = normalise_roster(Path(path), out=Path(scratch) / "roster.parquet")
        seconds = time.perf_counter() - started
    errors = sum(p.severity == "error" for p in found.problems)
    return {"seconds": seconds, "rows": found.rows, "errors": errors}


def measure(kind: str, path: Path, baseline: Path | None = None) -> dict[str, float]:
    environment = None
    if kind == "baseline":
        assert baseline is not None
        environment = {**os.environ, "PYTHONPATH": str(baseline)}
        kind = "normalise"
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=environment,
    )
    return dict(json.loads(out.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--roster", type=Path, help="a roster file or folder instead of the generated one")
    parser.add_argument(
        "--baseline", type=Path, help="another version's src folder: its normalisation is measured too"
    )
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        found = child_read(path) if kind == "read" else child_normalise(path)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        found["peak_mb"] = usage.ru_maxrss / 1024
        found["cpu"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(found))
        return
    path = args.roster or generate(args.rows)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    args.rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    print(f"{args.rows:,} rows, {sum(f.stat().st_size for f in files) / 1e6:.0f} MB Parquet ({path})")
    results: dict[str, list[dict[str, float]]] = {"read": [], "normalise": []}
    if args.baseline:
        results["baseline"] = []
    for _ in range(args.rounds):
        for kind in results:
            results[kind].append(measure(kind, path, args.baseline))
    for kind, runs in results.items():
        seconds = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        print(
            f"{kind:10} median {seconds:6.1f} s  cpu {cpu:6.1f} s  peak {peak:6.0f} MB",
            [round(r["seconds"], 1) for r in runs],
        )
    ratio = statistics.median(r["seconds"] for r in results["normalise"]) / statistics.median(
        r["seconds"] for r in results["read"]
    )
    assert all(r["errors"] == 0 and r["rows"] == args.rows for r in results["normalise"])
    print(f"normalise / read: {ratio:.1f}x")
    if args.baseline:
        before = statistics.median(r["seconds"] for r in results["baseline"])
        read = statistics.median(r["seconds"] for r in results["read"])
        print(f"baseline / read: {before / read:.1f}x")


if __name__ == "__main__":
    main()
