"""A 2 GiB artifact through the artifact proxy: uploaded with mlflow.log_artifact, downloaded with
mlflow.artifacts.download_artifacts; the bytes survive and the server's memory stays flat.

Marked `big` (FLOWREG_COMPAT_BIG=0 skips it). FLOWREG_COMPAT_BIG_MIB changes the size (default
2048) for quicker local runs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import mlflow
import mlflow.artifacts
import pytest
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

MIB = 1024 * 1024
SIZE = int(os.environ.get("FLOWREG_COMPAT_BIG_MIB", "2048")) * MIB
MAX_PEAK_RSS_GROWTH = 200 * 1000 * 1000  # bytes
HASH_CHUNK = 8 * MIB
FILE_NAME = "big.bin"


def _write_big_file(path: Path, size: int) -> str:
    """Write `size` bytes (a repeated 1 MiB random block, no holes); return their sha256."""
    block = os.urandom(MIB)
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        remaining = size
        while remaining:
            chunk = block if remaining >= MIB else block[:remaining]
            f.write(chunk)
            digest.update(chunk)
            remaining -= len(chunk)
    return digest.hexdigest()


def _sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _server_peak_rss(server) -> dict[int, int]:
    """VmHWM (bytes) of every process of the server's process group, by pid.

    flowreg is one process; `mlflow server` runs its workers as children in the same group.
    """
    pgid = server.proc.pid  # started with start_new_session: the group leader
    peaks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            # Fields after the parenthesised command: state ppid pgrp ...
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp != pgid:
                continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peaks[int(entry)] = int(line.split()[1]) * 1024
                        break
        except (OSError, IndexError, ValueError):
            continue  # the process went away meanwhile
    assert server.proc.pid in peaks, f"cannot read /proc/{server.proc.pid}/status"
    return peaks


def _mb(n: float) -> float:
    return n / 1e6


@pytest.mark.big
def test_two_gib_artifact_round_trip_keeps_server_memory_flat(
    tracking, server, tmp_path, make_name, record_property, big_transfer_report
):
    src = tmp_path / FILE_NAME
    down_dir = tmp_path / "down"
    run_id = None
    try:
        expected_sha = _write_big_file(src, SIZE)
        assert src.stat().st_size == SIZE
        assert src.stat().st_blocks * 512 >= SIZE  # really on disk, not sparse

        mlflow.set_experiment(make_name("exp"))
        rss_before = _server_peak_rss(server)
        with mlflow.start_run() as run:
            run_id = run.info.run_id
            started = time.perf_counter()
            mlflow.log_artifact(str(src), "blobs")
            upload_seconds = time.perf_counter() - started
        src.unlink()  # keep at most two copies on disk

        listed = tracking.list_artifacts(run_id, "blobs")
        assert [(f.path, f.is_dir, f.file_size) for f in listed] == [
            (f"blobs/{FILE_NAME}", False, SIZE)
        ]

        started = time.perf_counter()
        local = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=f"blobs/{FILE_NAME}", dst_path=str(down_dir)
        )
        download_seconds = time.perf_counter() - started
        rss_after = _server_peak_rss(server)

        local = Path(local)
        assert local.stat().st_size == SIZE
        actual_sha = _sha256_of_file(local)
        local.unlink()

        leader = server.proc.pid
        # The largest growth of any one server process alive across the transfer (flowreg has
        # exactly one; the reference server's worker pool is measured process by process).
        growth = max(rss_after[pid] - rss_before[pid] for pid in rss_before if pid in rss_after)
        figures = {
            "size_mib": SIZE // MIB,
            "upload_mb_per_s": round(_mb(SIZE) / upload_seconds, 1),
            "download_mb_per_s": round(_mb(SIZE) / download_seconds, 1),
            "upload_seconds": round(upload_seconds, 2),
            "download_seconds": round(download_seconds, 2),
            "server_peak_rss_before_mb": round(_mb(rss_before[leader]), 1),
            "server_peak_rss_after_mb": round(_mb(rss_after[leader]), 1),
            "server_peak_rss_max_growth_mb": round(_mb(growth), 1),
            "server_processes": len(rss_after),
        }
        for key, value in figures.items():
            record_property(key, value)
        line = (
            f"{figures['size_mib']} MiB: up {figures['upload_mb_per_s']} MB/s "
            f"({figures['upload_seconds']} s), down {figures['download_mb_per_s']} MB/s "
            f"({figures['download_seconds']} s); server peak RSS (VmHWM, pid {leader}) "
            f"{figures['server_peak_rss_before_mb']} MB -> {figures['server_peak_rss_after_mb']} MB"
        )
        if len(rss_after) > 1:
            line += (
                f"; {len(rss_after)} server processes, largest growth "
                f"{figures['server_peak_rss_max_growth_mb']} MB"
            )
        print(line)
        big_transfer_report.append(line)

        assert actual_sha == expected_sha, "downloaded bytes differ from the uploaded ones"
        assert growth < MAX_PEAK_RSS_GROWTH, (
            f"server peak RSS grew by {_mb(growth):.1f} MB during the transfer "
            f"(limit {_mb(MAX_PEAK_RSS_GROWTH):.0f} MB): before {rss_before}, after {rss_after}"
        )

        # Remove it through the proxy as a user would; nothing of it may remain on the server.
        repo = get_artifact_repository(tracking.get_run(run_id).info.artifact_uri)
        repo.delete_artifacts("blobs")
        assert tracking.list_artifacts(run_id, "blobs") == []
        assert not list(server.workdir.rglob(FILE_NAME))
    finally:
        src.unlink(missing_ok=True)
        shutil.rmtree(down_dir, ignore_errors=True)
        for leftover in server.workdir.rglob(FILE_NAME):
            leftover.unlink(missing_ok=True)
