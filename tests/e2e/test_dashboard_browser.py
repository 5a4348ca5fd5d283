"""The operations dashboard as a person uses it: a real headless Chromium against the stack as
``make run`` starts it (broker, four services and the dashboard, each its own process).

Debian's ``chromium`` package drives the pages (Playwright never downloads a browser here); ``make test``
installs it where it can. Without it these tests skip and say why, except in CI (``CI`` set), where a
missing browser fails the run. A screenshot of every page is saved to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2, money_pb2, usage_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.licensing.v1 import licensing_service_pb2 as lpb
from nordclear.gen.licensing.v1 import licensing_service_pb2_grpc as lgrpc
from nordclear.gen.matching.v1 import matching_service_pb2 as mpb
from nordclear.gen.matching.v1 import matching_service_pb2_grpc as mgrpc
from nordclear.gen.matching.v1 import report_pb2 as mrpb
from nordclear.gen.repertoire.v1 import consent_pb2, work_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as rpb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as rgrpc
from nordclear.gen.settlement.v1 import settlement_pb2
from nordclear.gen.settlement.v1 import settlement_service_pb2 as spb
from nordclear.gen.settlement.v1 import settlement_service_pb2_grpc as sgrpc
from nordclear.platform.auth import PrincipalKind, load_private_key, mint_token, principal_for
from nordclear.runtime.stack import EmbeddedStack
from tests.conftest import free_port
from tests.e2e.conftest import ARTIFACTS, free_ports
from tests.support.clients import bearer
from tests.support.polling import eventually

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path("test-artifacts") / "screenshots"
STAGES = [codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE, codes_pb2.AI_STAGE_OUTPUT]
TERRITORIES = [
    codes_pb2.TERRITORY_DK,
    codes_pb2.TERRITORY_FI,
    codes_pb2.TERRITORY_IS,
    codes_pb2.TERRITORY_NO,
    codes_pb2.TERRITORY_SE,
]
NORDIC_TIS = 2127
ISWC = "T0700000049"
KODA_ISWC = "T0000000010"


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        f"Debian's chromium is not installed at {CHROMIUM} (make test installs it with apt-get where it "
        "can run as root); the dashboard's browser tests need it"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run them")
    pytest.skip(reason)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium; the tests take it before the stack, so a missing browser skips at once."""
    _require_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def stack(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EmbeddedStack]:
    """The stack with its dashboard, on free ports, sampling metrics twice a second."""
    log_dir = tmp_path / "logs"
    running = EmbeddedStack(
        tmp_path / "data",
        replace(free_ports(), dashboard=free_port()),
        log_dir=log_dir,
        dashboard=True,
        extra_env={"NORDCLEAR_DASHBOARD_SCRAPE_INTERVAL_MS": "500"},
    )
    try:
        await running.start()
        yield running
    finally:
        running.stop()
        target = ARTIFACTS / request.node.name
        shutil.rmtree(target, ignore_errors=True)
        if log_dir.exists():
            shutil.copytree(log_dir, target)


def _token(stack: EmbeddedStack, kind: PrincipalKind, **identity: str) -> str:
    assert stack.keys is not None
    key = load_private_key(stack.keys.private_key_file)
    return mint_token(key, principal_for(kind, **identity), timedelta(hours=1))


def _day(value: date) -> dates_pb2.Date:
    return dates_pb2.Date(year=value.year, month=value.month, day=value.day)


def _work(title: str, iswc: str, society_code: str) -> work_pb2.Work:
    """A work whose one writer owns everything, administered by ``society_code`` in the Nordic countries."""
    work = work_pb2.Work(title=title, iswc=iswc)
    writer = work.parties.add(
        party_key="W1", name="Taube", role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR, ipi_name_number="00014107338"
    )
    for right in (codes_pb2.RIGHT_PERFORMING, codes_pb2.RIGHT_MECHANICAL):
        writer.ownership_shares.add(right=right, share_bp=10_000)
        writer.mandates.add(right=right, tis_code=NORDIC_TIS, society_code=society_code)
    return work


async def _seed(stack: EmbeddedStack) -> str:
    """A consented STIM work and a licence issued by STIM through the real flow; returns its id."""
    today = datetime.now(UTC).date()
    start = today - timedelta(days=30)
    stim = bearer(_token(stack, PrincipalKind.SOCIETY, society="STIM"))
    licensee = bearer(_token(stack, PrincipalKind.LICENSEE, licensee_id="skald-ai"))
    async with (
        grpc.aio.insecure_channel(stack.address("repertoire")) as repertoire_channel,
        grpc.aio.insecure_channel(stack.address("licensing")) as licensing_channel,
    ):
        repertoire = rgrpc.RepertoireServiceStub(repertoire_channel)
        licensing = lgrpc.LicensingServiceStub(licensing_channel)
        work = await repertoire.RegisterWork(
            rpb.RegisterWorkRequest(request_id="w-1", work=_work("Vem kan segla förutan vind", ISWC, "079")),
            metadata=stim,
        )
        await repertoire.RecordConsent(
            rpb.RecordConsentRequest(
                request_id="c-1",
                subject=consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work.work.work_id)),
                stages=STAGES,
                effective_from=_day(start),
                evidence=audit_pb2.Evidence(
                    description="opt-in signed by all rightsholders",
                    document_uri="stim://optin/2026/118",
                    issued_on=_day(start),
                ),
            ),
            metadata=stim,
        )
        koda = bearer(_token(stack, PrincipalKind.SOCIETY, society="KODA"))
        koda_work = await repertoire.RegisterWork(
            rpb.RegisterWorkRequest(request_id="w-2", work=_work("Kalinka vals", KODA_ISWC, "040")),
            metadata=koda,
        )
        await repertoire.RecordConsent(
            rpb.RecordConsentRequest(
                request_id="c-2",
                subject=consent_pb2.ConsentSubject(
                    work=identifiers_pb2.WorkRef(work_id=koda_work.work.work_id)
                ),
                stages=STAGES,
                effective_from=_day(start),
                evidence=audit_pb2.Evidence(
                    description="opt-in signed by all rightsholders",
                    document_uri="koda://optin/2026/7",
                    issued_on=_day(start),
                ),
            ),
            metadata=koda,
        )
        await licensing.RegisterLicensee(
            lpb.RegisterLicenseeRequest(
                request_id="reg-1",
                licensee=licence_pb2.Licensee(
                    legal_name="Skald AI AB",
                    country_code="SE",
                    contacts=[
                        licence_pb2.Contact(name="Astrid Berg", email="legal@skald.example", role="legal")
                    ],
                ),
            ),
            metadata=licensee,
        )
        application = licence_pb2.Application(
            hub_society=codes_pb2.SOCIETY_STIM,
            model_name="Skald",
            model_version="2.1",
            stages=STAGES,
            territories=TERRITORIES,
            term=dates_pb2.DateRange(start_date=_day(start), end_date=_day(today + timedelta(days=365))),
            expected_revenue=money_pb2.Money(currency_code="SEK", amount_minor=100_000_000),
            expected_output_count=50_000,
            training_data=licence_pb2.TrainingDataDeclaration(
                disclosure=licence_pb2.TRAINING_DATA_DISCLOSURE_NONE
            ),
        )

        async def apply() -> lpb.ApplyResponse | None:
            # Licensing learns of the consent through the repertoire's events; until then there is
            # nothing licensable and it refuses the application whole.
            try:
                response: lpb.ApplyResponse = await licensing.Apply(
                    lpb.ApplyRequest(request_id=str(uuid.uuid4()), application=application), metadata=licensee
                )
            except grpc.aio.AioRpcError as error:
                if error.code() is grpc.StatusCode.FAILED_PRECONDITION:
                    return None
                raise
            return response

        applied = await eventually(
            apply,
            lambda r: r is not None and r.quote.training_work_count == 2,
            what="both works licensable in licensing",
        )
        assert applied is not None
        await licensing.AcceptQuote(
            lpb.AcceptQuoteRequest(request_id="accept-1", quote_id=applied.quote.quote_id), metadata=licensee
        )
        approved = await licensing.ApproveApplication(
            lpb.ApproveApplicationRequest(
                request_id="ok-1", application_id=applied.application.application_id
            ),
            metadata=bearer(_token(stack, PrincipalKind.OPS, society="STIM")),
        )
        return str(approved.licence.licence_id)


async def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def _sign_in(page: Page, url: str, token: str) -> None:
    await page.goto(f"{url}/")
    await expect(page).to_have_url(f"{url}/login")
    await page.get_by_label("Ops token").fill(token)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{url}/")


async def test_ops_read_every_page_and_a_societys_ops_only_their_scope(
    browser: Browser, stack: EmbeddedStack
) -> None:
    licence_id = await _seed(stack)
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    url = stack.dashboard_url

    await page.goto(f"{url}/login")
    await _shot(page, "01-sign-in")
    await page.get_by_label("Ops token").fill(_token(stack, PrincipalKind.SOCIETY, society="STIM"))
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("the dashboard is for operations staff")

    await _sign_in(page, url, _token(stack, PrincipalKind.OPS))
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    await expect(page.locator("#services tbody tr[data-service]")).to_have_count(4)
    for service in ("repertoire", "licensing", "matching", "settlement"):
        await expect(page.locator(f'#services tr[data-service="{service}"] td.health')).to_have_text(
            "SERVING"
        )
    await _shot(page, "02-overview")

    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Licences").click()
    await expect(page.get_by_role("heading", name="Licences")).to_be_visible()
    licence_row = page.locator("#licences tbody tr", has_text=licence_id)
    await expect(licence_row).to_contain_text("Skald AI AB")
    await expect(licence_row).to_contain_text("active")
    await expect(licence_row).to_contain_text("STIM")
    transitions = page.get_by_role("img", name="Licence and application transitions by status entered")
    await expect(transitions).to_have_attribute("aria-label", re.compile(r"issued: 1"))
    await _shot(page, "03-licences")
    await page.locator("select[name=status]").select_option("LICENCE_STATUS_REVOKED")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.locator("#licences tbody")).to_contain_text("No licence matches these filters.")
    await page.locator("select[name=status]").select_option("LICENCE_STATUS_ACTIVE")
    await page.get_by_role("button", name="Filter").click()
    await page.get_by_role("link", name=licence_id).click()
    await expect(page.get_by_role("heading", name=f"Licence {licence_id}")).to_be_visible()
    await expect(page.locator("#history tbody tr")).to_have_count(1)
    await expect(page.locator("#history")).to_contain_text("active")
    await _shot(page, "04-licence")

    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Matching").click()
    await expect(page.get_by_role("heading", name="Matching")).to_be_visible()
    await _shot(page, "05-matching")
    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Review queue").click()
    await expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    await _shot(page, "06-review-queue")
    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Settlement").click()
    await expect(page.get_by_role("heading", name="Settlement", exact=True)).to_be_visible()
    await expect(page.get_by_role("heading", name="Late obligations")).to_be_visible()
    await _shot(page, "07-settlement")

    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Consent audit").click()
    await page.get_by_label("Work (ISWC, ISRC or work id)").fill(ISWC)
    await page.get_by_role("button", name="Show history").click()
    await expect(page.get_by_role("heading", name="Vem kan segla förutan vind")).to_be_visible()
    await expect(page.locator("#consents tbody tr")).to_have_count(3)
    await expect(page.locator("#consents tbody")).to_contain_text("stim://optin/2026/118")
    await _shot(page, "08-consent-audit")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page).to_have_url(f"{url}/login")

    # A society's ops see their society's view: Tono is in neither the licence nor the consents.
    await _sign_in(page, url, _token(stack, PrincipalKind.OPS, society="TONO"))
    await expect(page.locator("header .who")).to_have_text("TONO ops")
    await page.goto(f"{url}/licences")
    await expect(page.locator("#licences tbody")).to_contain_text("No licence matches these filters.")
    await page.goto(f"{url}/consent?work={ISWC}")
    await expect(page.locator("#consents tbody")).to_contain_text("No consent entry with these filters.")
    await _shot(page, "09-society-ops-consent-audit")


async def _run_settlement(stack: EmbeddedStack) -> settlement_pb2.SettlementRun:
    """Settle the licence's fee at issue: a dry run until settlement has the events, then the run."""
    today = datetime.now(UTC).date()
    ops = bearer(_token(stack, PrincipalKind.OPS))
    async with grpc.aio.insecure_channel(stack.address("settlement")) as channel:
        settlement = sgrpc.SettlementServiceStub(channel)
        # The fee at issue falls due after the licence's payment terms, so the period reaches past them.
        period = dates_pb2.DateRange(
            start_date=_day(today - timedelta(days=30)), end_date=_day(today + timedelta(days=90))
        )

        async def dry_run() -> spb.RunPeriodResponse | None:
            try:
                response: spb.RunPeriodResponse = await settlement.RunPeriod(
                    spb.RunPeriodRequest(
                        run_id=f"dry-{uuid.uuid4()}",
                        period=period,
                        settlement_currency_code="SEK",
                        dry_run=True,
                    ),
                    metadata=ops,
                )
            except grpc.aio.AioRpcError as error:
                if error.code() is grpc.StatusCode.UNAVAILABLE:
                    return None  # Settlement is still reading the events it settles from: retry.
                raise
            return response

        # Settlement learns of the licence and its fee through the licensing events.
        await eventually(
            dry_run,
            lambda r: r is not None and any(p.net.amount_minor != 0 for p in r.run.net_positions),
            what="the licence's fee in settlement",
        )
        response = await settlement.RunPeriod(
            spb.RunPeriodRequest(run_id="2026-run-1", period=period, settlement_currency_code="SEK"),
            metadata=ops,
        )
        return response.run


async def test_a_settlement_run_shows_who_owes_whom(browser: Browser, stack: EmbeddedStack) -> None:
    await _seed(stack)
    run = await _run_settlement(stack)
    net = {codes_pb2.Society.Name(p.society): p.net.amount_minor for p in run.net_positions}
    assert sum(net.values()) == 0
    assert net["SOCIETY_STIM"] < 0 < net["SOCIETY_KODA"]  # STIM collected the fee and owes KODA its part
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    url = stack.dashboard_url
    await _sign_in(page, url, _token(stack, PrincipalKind.OPS))
    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Settlement").click()

    await expect(page.locator("#runs tbody")).to_contain_text("2026-run-1")
    chart = page.locator("svg#net-positions-chart")
    await expect(chart).to_be_visible()
    await expect(chart.locator("rect.bar")).to_have_count(len(run.net_positions))
    await expect(chart.locator("rect.bar.warn")).to_have_count(1)  # the one society that pays
    await expect(chart.locator("line.zero")).to_have_count(1)
    label = await chart.get_attribute("aria-label")
    assert label is not None
    assert "STIM: -" in label
    stim_row = page.locator("#positions tbody tr", has_text="STIM")
    await expect(stim_row).to_contain_text("SEK")
    payments = page.locator("#payments tbody tr")
    await expect(payments.first).to_contain_text("STIM")
    await expect(payments.first).to_contain_text("KODA")
    obligation = page.locator("#open-obligations tbody tr", has_text="KODA")
    await expect(obligation.first).to_contain_text("STIM")
    await expect(obligation.first).to_contain_text("2026-run-1")
    await _shot(page, "10-settlement-run")


async def _report_with_a_line_to_review(stack: EmbeddedStack, licence_id: str) -> None:
    """A training manifest: one line by ISWC (matched), two by title alone (a title alone goes to review)."""
    today = datetime.now(UTC).date()
    licensee = bearer(_token(stack, PrincipalKind.LICENSEE, licensee_id="skald-ai"))
    ops = bearer(_token(stack, PrincipalKind.OPS))
    lines = [
        mrpb.ReportLine(
            line_number=1,
            training_manifest=mrpb.TrainingManifestLine(reference=mrpb.UsageReference(iswc=KODA_ISWC)),
        ),
        mrpb.ReportLine(
            line_number=2,
            training_manifest=mrpb.TrainingManifestLine(
                reference=mrpb.UsageReference(title="Vem kan segla förutan vind")
            ),
        ),
        mrpb.ReportLine(
            line_number=3,
            training_manifest=mrpb.TrainingManifestLine(reference=mrpb.UsageReference(title="Kalinka vals")),
        ),
    ]
    header = mrpb.ReportHeader(
        report_id="manifest-1",
        kind=usage_pb2.USAGE_REPORT_KIND_TRAINING_MANIFEST,
        licence_id=licence_id,
        period=dates_pb2.DateRange(start_date=_day(today - timedelta(days=20)), end_date=_day(today)),
        declared_line_count=len(lines),
    )
    async with grpc.aio.insecure_channel(stack.address("matching")) as channel:
        matching = mgrpc.MatchingServiceStub(channel)

        async def indexed() -> int:
            status = await matching.GetIndexStatus(mpb.GetIndexStatusRequest(), metadata=ops)
            return int(status.works_indexed)

        await eventually(indexed, lambda works: works == 2, what="both works in matching's index")

        async def submit() -> mpb.SubmitReportResponse | None:
            async def parts() -> AsyncIterator[mpb.SubmitReportRequest]:
                yield mpb.SubmitReportRequest(header=header)
                yield mpb.SubmitReportRequest(lines=mpb.ReportLineBatch(lines=lines))
                yield mpb.SubmitReportRequest(trailer=mpb.ReportTrailer(line_count=len(lines)))

            try:
                response: mpb.SubmitReportResponse = await matching.SubmitReport(parts(), metadata=licensee)
            except grpc.aio.AioRpcError as error:
                # Matching learns of the licence through the licensing events.
                if error.code() in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.NOT_FOUND):
                    return None
                raise
            return response

        await eventually(submit, lambda r: r is not None, what="the licence known to matching")

        async def queued() -> int:
            queue = await matching.ListReviewQueue(
                mpb.ListReviewQueueRequest(report_id="manifest-1"), metadata=ops
            )
            return len(queue.items)

        await eventually(queued, lambda items: items == 2, what="the title-only lines in the review queue")


async def test_accepting_a_review_candidate_raises_the_match_rate(
    browser: Browser, stack: EmbeddedStack
) -> None:
    licence_id = await _seed(stack)
    await _report_with_a_line_to_review(stack, licence_id)
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    url = stack.dashboard_url
    await _sign_in(page, url, _token(stack, PrincipalKind.OPS))

    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Matching").click()
    report = page.locator('#reports tbody tr[data-report="manifest-1"]')
    await expect(report.locator("td.match-rate")).to_have_text("33.33 %")
    await _shot(page, "11-matching-report")

    await report.get_by_role("link", name="2", exact=True).click()  # its two lines in review
    items = page.locator("article.review-item")
    await expect(items).to_have_count(2)
    rate = page.locator('#queue-reports tr[data-report="manifest-1"] td.match-rate')
    await expect(rate).to_have_text("33.33 %")
    await _shot(page, "12-review-queue-with-candidates")

    line_2 = items.filter(has_text="Line 2 of report manifest-1")
    candidate = line_2.locator("table.candidates tbody tr", has_text="Vem kan segla förutan vind")
    await candidate.get_by_role("button", name="Accept").click()
    await expect(page.get_by_role("status").filter(has_text="accepted")).to_be_visible()
    await expect(rate).to_have_text("66.66 %")
    await expect(items).to_have_count(1)

    line_3 = items.filter(has_text="Line 3 of report manifest-1")
    await line_3.get_by_label("Note").fill("not the Koda work: a different waltz")
    await line_3.get_by_role("button", name="Mark line 3 unmatched").click()
    await expect(page.get_by_role("status").filter(has_text="marked unmatched")).to_be_visible()
    await expect(rate).to_have_text("66.66 %")
    counts = page.locator('#queue-reports tr[data-report="manifest-1"] td')
    await expect(counts).to_have_text(["2", "0", "1", "66.66 %"])  # matched, in review, unmatched, rate
    await expect(items).to_have_count(0)
    await _shot(page, "13-review-resolved")

    await page.get_by_role("navigation", name="Pages").get_by_role("link", name="Matching").click()
    await expect(report.locator("td.match-rate")).to_have_text("66.66 %")
    await report.get_by_role("link", name="manifest-1").click()
    lines = page.locator("#lines tbody tr")
    await expect(lines).to_have_count(3)
    await expect(lines.nth(0)).to_contain_text("by iswc")
    await expect(lines.nth(1)).to_contain_text("by manual")
    await expect(lines.nth(2)).to_contain_text("unmatched")
    await _shot(page, "14-report-lines")
