"""The dashboard against a real repertoire service: sign-in, scoping, the consent audit, the overview,
CSRF, and pages whose service answers UNIMPLEMENTED or cannot be reached.

The dashboard runs in-process on a free port (uvicorn, as in production) and is read over real HTTP.
The licensing, matching and settlement addresses point at a gRPC server that implements nothing, so
every call to them answers UNIMPLEMENTED, exactly as an RPC of the contract not built yet does.
"""

from __future__ import annotations

import asyncio
import http.client
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import urlencode

import grpc
import pytest
import uvicorn

from nordclear.dashboard.settings import load_dashboard_settings
from nordclear.dashboard.web.app import create_app
from nordclear.dashboard.web.security import SESSION_COOKIE
from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import consent_pb2
from nordclear.gen.repertoire.v1 import repertoire_service_pb2 as pb
from nordclear.gen.repertoire.v1 import repertoire_service_pb2_grpc as pb_grpc
from nordclear.platform.auth import PrincipalKind, principal_for
from nordclear.platform.topology import REPERTOIRE
from nordclear.repertoire import bootstrap
from tests.conftest import DatabaseFactory, Keys, free_port
from tests.support.clients import a_work, bearer
from tests.support.polling import eventually
from tests.support.services import running_service, service_environment

ISWC = "T0700000049"


@dataclass
class Page:
    """One HTTP answer."""

    status: int
    headers: dict[str, str]
    body: str

    @property
    def text(self) -> str:
        """The page's words, without markup."""
        return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", self.body)))


@dataclass
class Browser:
    """Just enough of a browser: one cookie, no redirects followed, forms posted url-encoded."""

    port: int
    cookie: str = ""
    cookies_seen: list[str] = field(default_factory=list)

    def _request(self, method: str, path: str, form: dict[str, str] | None, origin: str | None) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["content-type"] = "application/x-www-form-urlencoded"
        if origin:
            headers["origin"] = origin
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            page = Page(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read().decode(),
            )
        finally:
            connection.close()
        set_cookie = page.headers.get("set-cookie")
        if set_cookie:
            self.cookies_seen.append(set_cookie)
            pair = set_cookie.split(";", 1)[0]
            self.cookie = "" if pair.endswith('=""') or pair.endswith("=") else pair
        return page

    async def get(self, path: str) -> Page:
        return await asyncio.to_thread(self._request, "GET", path, None, None)

    async def post(self, path: str, form: dict[str, str], origin: str | None = None) -> Page:
        return await asyncio.to_thread(self._request, "POST", path, form, origin)

    async def sign_in(self, token: str) -> Page:
        return await self.post("/login", {"token": token})


@dataclass
class Site:
    """The running dashboard and the repertoire behind it."""

    port: int
    repertoire: pb_grpc.RepertoireServiceAsyncStub
    keys: Keys

    def browser(self) -> Browser:
        return Browser(self.port)

    def token(self, kind: PrincipalKind, society: str | None = None) -> str:
        return self.keys.token(principal_for(kind, society=society))


@pytest.fixture
async def site(
    new_database: DatabaseFactory, kafka_bootstrap_servers: str, kafka_namespace: str, keys: Keys
) -> AsyncIterator[Site]:
    metrics_port = free_port()
    environment = service_environment(
        REPERTOIRE,
        database_url=await new_database("repertoire"),
        kafka_bootstrap_servers=kafka_bootstrap_servers,
        kafka_namespace=kafka_namespace,
        public_key_file=keys.public_key_file,
        metrics_address=f"127.0.0.1:{metrics_port}",
    )
    nothing = grpc.aio.server()  # implements no service: every call answers UNIMPLEMENTED
    nothing_port = nothing.add_insecure_port("127.0.0.1:0")
    await nothing.start()
    dashboard_port = free_port()
    async with (
        running_service(REPERTOIRE, bootstrap.build, environment) as runtime,
        grpc.aio.insecure_channel(f"127.0.0.1:{runtime.bound_port}") as channel,
    ):
        prefix = "NORDCLEAR_DASHBOARD_"
        settings = load_dashboard_settings(
            {
                f"{prefix}HTTP_ADDRESS": f"127.0.0.1:{dashboard_port}",
                f"{prefix}REPERTOIRE_ADDRESS": f"127.0.0.1:{runtime.bound_port}",
                f"{prefix}REPERTOIRE_METRICS_URL": f"http://127.0.0.1:{metrics_port}/metrics",
                f"{prefix}LICENSING_ADDRESS": f"127.0.0.1:{nothing_port}",
                f"{prefix}MATCHING_ADDRESS": f"127.0.0.1:{nothing_port}",
                f"{prefix}SETTLEMENT_ADDRESS": f"127.0.0.1:{nothing_port}",
                # Nothing listens on these: the overview must show the endpoints as not answering.
                f"{prefix}LICENSING_METRICS_URL": f"http://127.0.0.1:{free_port()}/metrics",
                f"{prefix}MATCHING_METRICS_URL": f"http://127.0.0.1:{free_port()}/metrics",
                f"{prefix}SETTLEMENT_METRICS_URL": f"http://127.0.0.1:{free_port()}/metrics",
                f"{prefix}TOKEN_PUBLIC_KEY_FILE": str(keys.public_key_file),
                f"{prefix}SCRAPE_INTERVAL_MS": "100",
            }
        )
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=dashboard_port, log_config=None)
        )
        serving = asyncio.create_task(server.serve())
        await eventually(lambda: asyncio.sleep(0, server.started), bool, timeout_s=10, what="dashboard")
        try:
            yield Site(dashboard_port, pb_grpc.RepertoireServiceStub(channel), keys)
        finally:
            server.should_exit = True
            await serving
            await nothing.stop(None)


def _tomorrow() -> dates_pb2.Date:
    # A revocation takes effect on or after the day it is recorded, never in the past.
    day = datetime.now(UTC).date() + timedelta(days=1)
    return dates_pb2.Date(year=day.year, month=day.month, day=day.day)


async def _record_consent_history(site: Site) -> str:
    """A STIM work with training and service consent, then training revoked; returns the work id."""
    stim = bearer(site.token(PrincipalKind.SOCIETY, "STIM"))
    work = await site.repertoire.RegisterWork(
        pb.RegisterWorkRequest(request_id="w1", work=a_work(iswc=ISWC)), metadata=stim
    )
    subject = consent_pb2.ConsentSubject(work=identifiers_pb2.WorkRef(work_id=work.work.work_id))
    evidence = audit_pb2.Evidence(
        description="opt-in signed by all rightsholders",
        document_uri="stim://optin/118",
        issued_on=dates_pb2.Date(year=2025, month=12, day=15),
    )
    await site.repertoire.RecordConsent(
        pb.RecordConsentRequest(
            request_id="c1",
            subject=subject,
            stages=[codes_pb2.AI_STAGE_TRAINING, codes_pb2.AI_STAGE_SERVICE],
            effective_from=dates_pb2.Date(year=2026, month=1, day=1),
            evidence=evidence,
        ),
        metadata=stim,
    )
    await site.repertoire.RevokeConsent(
        pb.RevokeConsentRequest(
            request_id="r1",
            subject=subject,
            stages=[codes_pb2.AI_STAGE_TRAINING],
            effective_from=_tomorrow(),
            evidence=evidence,
            note="rightsholders withdrew training consent",
        ),
        metadata=stim,
    )
    return str(work.work.work_id)


def _rows(page: Page, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', page.body, re.S)
    assert table is not None, f"no table {table_id} on the page"
    body = re.search(r"<tbody>(.*?)</tbody>", table[1], re.S)
    assert body is not None
    return [Page(200, {}, row).text.strip() for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S)]


async def test_pages_need_an_ops_token_and_the_cookie_is_guarded(site: Site) -> None:
    browser = site.browser()
    redirected = await browser.get("/")
    assert redirected.status == 303
    assert redirected.headers["location"] == "/login"

    refused = await browser.sign_in(site.token(PrincipalKind.SOCIETY, "STIM"))
    assert refused.status == 401
    assert "for operations staff; this token names a society" in refused.text
    assert not browser.cookie
    forged = await browser.sign_in(site.token(PrincipalKind.OPS)[:-3] + "abc")
    assert forged.status == 401
    assert "bearer token is not valid" in forged.text

    signed_in = await browser.sign_in(site.token(PrincipalKind.OPS))
    assert signed_in.status == 303
    cookie = browser.cookies_seen[-1].lower()
    assert cookie.startswith(SESSION_COOKIE)
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    overview = await browser.get("/")
    assert overview.status == 200
    assert "clearing-house ops" in overview.text
    assert "script-src" not in overview.headers["content-security-policy"]
    assert overview.headers["x-content-type-options"] == "nosniff"
    assert overview.headers["cache-control"] == "no-store"  # pages hold data: never cached
    stylesheet = await browser.get("/static/dashboard.css")
    assert stylesheet.status == 200
    assert stylesheet.headers["cache-control"] == "public, max-age=3600"

    signed_out = await browser.post("/logout", {"csrf": _csrf(overview)})
    assert signed_out.status == 303
    assert (await browser.get("/")).status == 303


def _csrf(page: Page) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.body)
    assert found is not None
    return found[1]


async def test_the_overview_shows_health_and_traffic_and_what_needs_a_person(site: Site) -> None:
    browser = site.browser()
    await browser.sign_in(site.token(PrincipalKind.OPS))
    ops = bearer(site.token(PrincipalKind.OPS))
    for _ in range(5):
        await site.repertoire.ListWorks(pb.ListWorksRequest(), metadata=ops)

    async def overview() -> Page:
        return await browser.get("/")

    # Rates need two samples of the repertoire's metrics; the test samples every 100 ms.
    page = await eventually(overview, lambda p: "/s" in _rows(p, "services")[0], what="a request rate")
    repertoire_row = _rows(page, "services")[0]
    assert repertoire_row.startswith("repertoire SERVING")
    assert 'class="good" data-service="repertoire"' in page.body
    assert 'class="bad" data-service="licensing"' in page.body
    assert "Needs a person" in page.text
    assert "licensing: its /metrics endpoint does not answer" in page.text
    assert "matching: gRPC health says UNREACHABLE (UNIMPLEMENTED)" in page.text


async def test_the_consent_audit_lists_the_register_and_filters_by_stage_and_society(site: Site) -> None:
    work_id = await _record_consent_history(site)
    browser = site.browser()
    await browser.sign_in(site.token(PrincipalKind.OPS))

    everything = await browser.get(f"/consent?work={ISWC}")
    assert everything.status == 200
    assert f"Vem kan segla förutan vind {ISWC} · {work_id}" in everything.text
    rows = _rows(everything, "consents")
    assert len(rows) == 3
    assert sum(" revoke " in row for row in rows) == 1
    assert all(" STIM " in row for row in rows)
    assert "rightsholders withdrew training consent" in everything.text
    assert "3 in all." in everything.text

    service_only = await browser.get(f"/consent?work={work_id}&stage=AI_STAGE_SERVICE")
    assert [" service " in row for row in _rows(service_only, "consents")] == [True]

    by_action = await browser.get(f"/consent?work={ISWC}&sort=action")
    assert "revoke" in _rows(by_action, "consents")[-1]

    koda_filter = await browser.get(f"/consent?work={ISWC}&society=SOCIETY_KODA")
    assert "No consent entry with these filters." in koda_filter.text

    whole_register = await browser.get("/consent?stage=AI_STAGE_TRAINING")
    assert len(_rows(whole_register, "consents")) == 2  # No work named: every work's training entries.


async def test_a_societys_ops_see_their_societys_view(site: Site) -> None:
    await _record_consent_history(site)
    koda = site.browser()
    await koda.sign_in(site.token(PrincipalKind.OPS, "KODA"))
    page = await koda.get(f"/consent?work={ISWC}")
    assert "KODA ops" in page.text
    assert "No consent entry with these filters." in page.text  # the entries were recorded through STIM
    stim = site.browser()
    await stim.sign_in(site.token(PrincipalKind.OPS, "STIM"))
    assert len(_rows(await stim.get(f"/consent?work={ISWC}"), "consents")) == 3
    assert len(_rows(await stim.get("/consent"), "consents")) == 3
    assert "No consent entry with these filters." in (await koda.get("/consent")).text


async def test_pages_of_services_that_do_not_offer_an_rpc_say_so(site: Site) -> None:
    browser = site.browser()
    await browser.sign_in(site.token(PrincipalKind.OPS))
    expectations = {
        "/licences": ("licensing", ["ListLicences"]),
        "/licences/NC-2026-000001": ("licensing", ["GetLicence"]),
        "/matching": ("matching", ["ListReports"]),
        "/matching/review": ("matching", ["ListReviewQueue"]),
        "/matching/reports/skald-ai/manifest-1": ("matching", ["GetReport"]),
        "/settlement": ("settlement", ["ListRuns", "ListObligations", "ListSuspense"]),
    }
    for path, (service, rpcs) in expectations.items():
        page = await browser.get(path)
        assert page.status == 200, path
        for rpc in rpcs:
            assert f"Not available yet: {rpc} is not offered by the {service} service yet." in page.text


async def test_a_bad_filter_is_refused_naming_the_field_and_value(site: Site) -> None:
    browser = site.browser()
    await browser.sign_in(site.token(PrincipalKind.OPS))
    page = await browser.get("/licences?status=LICENCE_STATUS_SLEEPING")
    assert page.status == 400
    assert "status: 'LICENCE_STATUS_SLEEPING' is invalid: must be one of LICENCE_STATUS_ACTIVE" in page.text
    missing = await browser.get("/ledger")
    assert missing.status == 404
    assert "There is no page at /ledger." in missing.text
    assert "Sign out" in missing.text  # still a dashboard page, with its navigation


async def test_actions_need_the_sessions_csrf_value_and_report_the_services_answer(site: Site) -> None:
    browser = site.browser()
    await browser.sign_in(site.token(PrincipalKind.OPS))
    form = {"decision": "accept", "work_id": "wrk_1", "request_id": "r-1"}
    forged = await browser.post("/matching/review/rvw_1", {**form, "csrf": "0" * 64})
    assert forged.status == 403
    cross_site = await browser.post(
        "/matching/review/rvw_1",
        {**form, "csrf": _csrf(await browser.get("/"))},
        origin="https://evil.example",
    )
    assert cross_site.status == 403

    posted = await browser.post("/matching/review/rvw_1", {**form, "csrf": _csrf(await browser.get("/"))})
    assert posted.status == 303
    shown = await browser.get(posted.headers["location"])
    assert "ResolveReviewItem is not offered by the matching service yet." in shown.text
