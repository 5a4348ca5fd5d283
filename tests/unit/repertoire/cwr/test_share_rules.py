"""The share rules of BRIEF §3.3 (CWR 2.1 §4.5.5), applied to each work transaction on import."""

from __future__ import annotations

import pytest

from nordclear.repertoire.cwr import FileKind, Level, PublisherRecord, Transaction
from tests.unit.repertoire.cwr.cwr_reading import cwr_file, publisher, read_lines, territory, work, writer

pytestmark = pytest.mark.unit


def _read_work(*details: str) -> Transaction:
    (transaction,) = read_lines(cwr_file(work(0, *details))).transactions
    return transaction


def _rules(transaction: Transaction) -> list[tuple[str, str, Level]]:
    return [(problem.field, problem.value, problem.severity) for problem in transaction.problems]


def test_shares_are_basis_points() -> None:
    transaction = _read_work(publisher((3333, 6667, 6667)), writer((6667, 3333, 3333)))
    (spu,) = transaction.records_of(PublisherRecord)
    assert (spu.pr_share_bp, spu.mr_share_bp, spu.sr_share_bp) == (3333, 6667, 6667)
    assert transaction.problems == ()


@pytest.mark.parametrize(
    ("writer_pr_bp", "accepted"),
    [(5000, True), (4994, True), (5006, True), (4993, False), (5007, False)],
)
def test_each_right_totals_100_percent_within_six_basis_points(writer_pr_bp: int, accepted: bool) -> None:
    transaction = _read_work(publisher((5000, 10000, 10000)), writer((writer_pr_bp, 0, 0)))
    assert transaction.rejected is not accepted
    if not accepted:
        assert _rules(transaction) == [
            (
                "pr_ownership_total",
                f"{(5000 + writer_pr_bp) // 100}.{(5000 + writer_pr_bp) % 100:02d} %",
                Level.TRANSACTION,
            )
        ]


def test_a_right_nobody_owns_totals_zero() -> None:
    transaction = _read_work(publisher((5000, 0, 0)), writer((5000, 0, 0)))
    assert transaction.problems == ()


def test_publishers_own_at_most_half_of_pr() -> None:
    transaction = _read_work(publisher((6000, 10000, 10000)), writer((4000, 0, 0)))
    assert _rules(transaction) == [("publisher_pr_ownership_total", "60.00 %", Level.TRANSACTION)]
    assert "publishers own at most 50 % of PR" in transaction.problems[0].rule


def test_the_cap_counts_every_publisher() -> None:
    transaction = _read_work(
        publisher((3000, 5000, 5000)),
        publisher((3000, 5000, 5000), record_type="OPU", party="P2", sequence=2),
        writer((4000, 0, 0)),
    )
    assert _rules(transaction) == [("publisher_pr_ownership_total", "60.00 %", Level.TRANSACTION)]


@pytest.mark.parametrize("publisher_type", ["SE", "AM", "PA", "ES"])
def test_sub_publishers_administrators_and_income_participants_own_nothing(publisher_type: str) -> None:
    transaction = _read_work(
        publisher((5000, 5000, 10000)),
        publisher((0, 5000, 0), party="P2", publisher_type=publisher_type),
        writer((5000, 0, 0)),
    )
    assert [(p.record_number, p.record_type, p.field, p.value, p.severity) for p in transaction.problems] == [
        (5, "SPU", "mr_share", "50.00 %", Level.TRANSACTION)
    ]
    assert f"a publisher of type {publisher_type}" in transaction.problems[0].rule


def test_an_acquirer_may_own() -> None:
    transaction = _read_work(publisher((5000, 10000, 10000), publisher_type="AQ"), writer((5000, 0, 0)))
    assert transaction.problems == ()


@pytest.mark.parametrize("designation", ["CA", "A", "C"])
def test_one_composer_or_author_is_enough(designation: str) -> None:
    transaction = _read_work(
        publisher(),
        writer((2500, 0, 0), designation="AR"),
        writer((2500, 0, 0), party="W2", designation=designation),
    )
    assert transaction.problems == ()


def test_a_work_of_arrangers_and_translators_only_is_rejected() -> None:
    transaction = _read_work(
        publisher(),
        writer((2500, 0, 0), designation="AR"),
        writer((2500, 0, 0), party="W2", designation="TR"),
    )
    assert _rules(transaction) == [("writer designations", "AR, TR", Level.TRANSACTION)]


def test_collection_in_one_territory_totals_at_most_100_percent() -> None:
    transaction = _read_work(
        publisher(),
        territory("SPT", "P1", (6000, 10000, 10000)),
        writer(),
        territory("SWT", "W1", (5000, 0, 0)),
    )
    assert _rules(transaction) == [("pr_collection_total in TIS 2136", "110.00 %", Level.TRANSACTION)]


def test_excluded_and_other_territories_are_counted_apart() -> None:
    transaction = _read_work(
        publisher(),
        territory("SPT", "P1", (5000, 10000, 10000)),
        territory("SPT", "P1", (5000, 10000, 10000), tis_code="0752", indicator="E"),
        writer(),
        territory("SWT", "W1", (5000, 0, 0)),
        territory("SWT", "W1", (10000, 0, 0), tis_code="0208"),
    )
    assert transaction.problems == ()


def test_acknowledged_works_are_not_judged_again() -> None:
    # An ACK carries what the receiver registered; its shares are the receiver's business.
    ack = "ACK0000000000000000201606301156440000100000000NWRA WORK"
    lines = cwr_file(
        [
            ack,
            *[
                line[:3] + "00000000" + f"{number:08d}" + line[19:]
                for number, line in enumerate(work(0, publisher((9000, 0, 0)), writer()), start=1)
            ],
        ],
        transaction_type="ACK",
    )
    reading = read_lines(lines)
    assert reading.summary is not None
    assert reading.summary.kinds == {FileKind.ACKNOWLEDGEMENT}
    (transaction,) = reading.transactions
    assert transaction.problems == ()
    assert [record.record_type for record in transaction.records] == ["NWR", "SPU", "SWR"]
