"""Unit tests of how the views read the services' messages and what people type."""

from __future__ import annotations

import pytest

from nordclear.dashboard.views.consent import work_ref
from nordclear.dashboard.views.licences import _row as licence_row
from nordclear.dashboard.views.matching import report_row
from nordclear.gen.common.v1 import codes_pb2, dates_pb2, usage_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.matching.v1 import report_pb2

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("T-070.000.004-9", "iswc"),
        ("T0700000049", "iswc"),
        (" t-070.000.004-9 ", "iswc"),
        ("SE-ABC-26-00001", "isrc"),
        ("SEABC2600001", "isrc"),
        ("wrk_01JABCDEF", "work_id"),
        ("W545576UFPKPYE55QN2S", "work_id"),
    ],
)
def test_a_typed_work_reference_is_read_as_iswc_isrc_or_work_id(typed: str, kind: str) -> None:
    reference = work_ref(typed)
    assert reference.WhichOneof("ref") == kind
    assert getattr(reference, kind) == typed.strip()


def test_a_licence_row_names_its_codes_in_words() -> None:
    licence = licence_pb2.Licence(
        licence_id="NC-2026-000001",
        licensee_id="skald-ai",
        licensee_legal_name="Skald AI AB",
        model_name="Skald",
        model_version="2.1",
        stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_OUTPUT],
        territories=[codes_pb2.TERRITORY_SE, codes_pb2.TERRITORY_IS],
        term=dates_pb2.DateRange(
            start_date=dates_pb2.Date(year=2026, month=1, day=1),
            end_date=dates_pb2.Date(year=2026, month=12, day=31),
        ),
        hub_society=codes_pb2.SOCIETY_STIM,
        status=licence_pb2.LICENCE_STATUS_SUSPENDED,
    )
    row = licence_row(licence)
    assert row.licensee == "Skald AI AB"
    assert row.model == "Skald 2.1"
    assert row.status == "suspended"
    assert row.hub_society == "STIM"
    assert row.territories == "SE, IS"
    assert row.stages == "training, output"
    assert row.term == "2026-01-01 to 2026-12-31"
    assert row.issued_at == ""  # unset, not 1970


def test_a_report_row_keeps_the_services_counts_and_methods() -> None:
    report = report_pb2.Report(
        report_id="manifest-1",
        kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
        status=report_pb2.REPORT_STATUS_MATCHED,
        units_total=3,
        units_matched=2,
        units_in_review=0,
        units_unmatched=1,
        match_rate_bp=6666,
        method_counts=[
            report_pb2.MethodCount(method=usage_pb2.MATCH_METHOD_ISWC, count=1),
            report_pb2.MethodCount(method=usage_pb2.MATCH_METHOD_MANUAL, count=1),
        ],
    )
    row = report_row(report)
    assert (row.kind, row.status) == ("training manifest", "matched")
    assert (row.units_matched, row.units_in_review, row.units_unmatched) == (2, 0, 1)
    assert row.match_rate_bp == 6666
    assert row.methods == [("iswc", 1), ("manual", 1)]
