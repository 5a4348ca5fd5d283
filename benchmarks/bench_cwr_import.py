"""Benchmark: importing CWR — the pure path over a large file, and the whole service path over gRPC.

1. Generates a CWR 2.1 registration file of N works (default 1,000,000) from the Nordic catalogue
   generator, written to a temporary file, then reads it back through the reader and the conversion to
   domain works with the domain rules: works/s and peak resident memory (the file is streamed, so memory
   must stay flat however large the file).
2. Imports a smaller file (default 2,000 works) into a running repertoire service over gRPC (SQLite):
   works/s from upload to acknowledgement, every work stored with its revision and event.

    .venv/bin/python -m benchmarks.bench_cwr_import [--works 1000000] [--service-works 2000]

Prints figures and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc

from benchmarks.bench_repertoire_lookup import free_port, start_repertoire, wait_serving
from benchmarks.figures import Figure, summary_line
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform import auth
from nordclear.platform.domain.societies import STIM
from nordclear.repertoire.catalogue.generator import GeneratedParty, GeneratedWork, iter_works
from nordclear.repertoire.cwr.envelope import CwrSender
from nordclear.repertoire.cwr.items import Transaction
from nordclear.repertoire.cwr.reader import read_cwr_stream
from nordclear.repertoire.cwr.to_domain import work_from_transaction
from nordclear.repertoire.cwr.writer import WorkToWrite, registration_lines
from nordclear.repertoire.domain import work as domain

SEED = 11


def _party(generated: GeneratedParty, key: str, writer: bool, chain: int) -> domain.InterestedParty:
    role = (
        domain.PartyRole.writer(domain.WriterRole(generated.role))
        if writer
        else domain.PartyRole.publisher(domain.PublisherType(generated.role))
    )
    shares = tuple(
        domain.RightShare(right, bp)
        for right, bp in (
            (domain.Right.PERFORMING, generated.pr_share_bp),
            (domain.Right.MECHANICAL, generated.mr_share_bp),
            (domain.Right.SYNCHRONISATION, generated.sr_share_bp),
        )
        if bp
    )
    return domain.InterestedParty(
        party_key=key,
        role=role,
        name=generated.last_name,
        first_name=generated.first_name,
        ipi_name_number=generated.ipi_name_number,
        ownership_shares=shares,
        chain_sequence=0 if writer else chain,
    )


def _work(generated: GeneratedWork) -> domain.Work:
    publishers = [_party(p, f"P{i + 1}", False, i + 1) for i, p in enumerate(generated.publishers)]
    writers = [_party(w, f"W{i + 1}", True, 0) for i, w in enumerate(generated.writers)]
    return domain.Work(
        work_id="",
        title=generated.title[:60],
        submitting_society=STIM,
        parties=(*writers, *publishers),
        iswc=generated.iswc,
        society_work_ids=(domain.SocietyWorkId("079", generated.society_work_id[:14]),),
    )


def write_file(path: Path, works: int) -> None:
    """A CWR 2.1 registration file of ``works`` generated works."""
    sender = CwrSender.society("079", "STIM")
    to_write = (WorkToWrite(_work(generated)) for generated in iter_works(SEED, works))
    with path.open("w", encoding="utf-8", newline="") as out:
        for line in registration_lines(to_write, sender=sender, created_at=datetime.now(UTC)):
            out.write(line)


def _transactions(path: Path) -> Iterator[Transaction]:
    with path.open("rb") as stream:
        for item in read_cwr_stream(stream):
            if isinstance(item, Transaction):
                yield item


def pure_import(path: Path) -> dict[str, float]:
    """Read and convert every transaction; works/s and peak RSS."""
    started = time.perf_counter()
    accepted = rejected = 0
    for transaction in _transactions(path):
        imported = work_from_transaction(transaction, STIM)
        if imported.rejected:
            rejected += 1
        else:
            accepted += 1
    elapsed_s = time.perf_counter() - started
    return {
        "works": accepted + rejected,
        "rejected": rejected,
        "seconds": round(elapsed_s, 1),
        "works_per_s": round((accepted + rejected) / elapsed_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


async def service_import(path: Path, folder: Path) -> dict[str, float]:
    """The same kind of file through ImportCwr on a repertoire service process."""
    private_key, public_key = folder / "key.pem", folder / "key.pub.pem"
    auth.generate_signing_key(private_key, public_key)
    stim = auth.principal_for(auth.PrincipalKind.SOCIETY, society="STIM")
    token = auth.mint_token(auth.load_private_key(private_key), stim, timedelta(hours=1))
    port = free_port()
    process = start_repertoire(folder, port, public_key)
    content = path.read_bytes()  # noqa: ASYNC240 - before the clock starts
    try:
        await wait_serving(f"127.0.0.1:{port}")
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:

            async def parts() -> AsyncIterator[pb.ImportCwrRequest]:
                yield pb.ImportCwrRequest(header=pb.ImportCwrHeader(request_id="bench", file_name=path.name))
                for offset in range(0, len(content), 1 << 20):
                    yield pb.ImportCwrRequest(chunk=content[offset : offset + (1 << 20)])

            started = time.perf_counter()
            response = await pb_grpc.RepertoireServiceStub(channel).ImportCwr(
                parts(), metadata=(("authorization", f"Bearer {token}"),), timeout=3600
            )
            elapsed_s = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait()
    return {
        "works": response.transactions_total,
        "seconds": round(elapsed_s, 1),
        "works_per_s": round(response.transactions_total / elapsed_s, 1),
    }


def main() -> None:
    """Generate, measure, print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--works", type=int, default=1_000_000)
    parser.add_argument("--service-works", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "big.V21"
        started = time.perf_counter()
        write_file(big, args.works)
        written_s = time.perf_counter() - started
        pure = pure_import(big)
        big.unlink()
        small = Path(folder) / "small.V21"
        write_file(small, args.service_works)
        service = asyncio.run(service_import(small, Path(folder)))
    print(f"generated and wrote {args.works} works in {written_s:.1f} s")
    print(f"read + convert + domain rules: {pure['works_per_s']} works/s, peak RSS {pure['peak_rss_mb']} MB")
    print(f"ImportCwr over gRPC (SQLite): {service['works_per_s']} works/s for {service['works']} works")
    figures = [
        Figure(f"CWR read + convert + rules, {args.works:,} works", float(pure["works_per_s"]), "works/s"),
        Figure("peak memory of that streamed import", float(pure["peak_rss_mb"]), "MB RSS"),
        Figure(
            f"ImportCwr over gRPC into SQLite, {args.service_works:,} works",
            float(service["works_per_s"]),
            "works/s",
        ),
    ]
    print(summary_line("cwr_import", figures, pure=pure, service=service))


if __name__ == "__main__":
    main()
