"""The dashboard's web routes: each translates a request into view calls and renders a template.

Every page but the sign-in page needs a valid ops token in the session cookie; every form post needs
the session's CSRF value. Each request is logged with the signed-in principal, and each action (sign
in, sign out, resolving a review item) is logged with what it did.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from nordclear.dashboard import charts
from nordclear.dashboard.settings import DashboardSettings
from nordclear.dashboard.views import consent as consent_views
from nordclear.dashboard.views import licences as licence_views
from nordclear.dashboard.views import matching as matching_views
from nordclear.dashboard.views import overview as overview_views
from nordclear.dashboard.views import settlement as settlement_views
from nordclear.dashboard.views.clients import ServiceClients, ServiceProblem
from nordclear.dashboard.views.common import PAGE_SIZE, Sort, Viewer, sort_rows
from nordclear.dashboard.views.formatting import (
    enum_choices,
    per_second,
    percent_bp,
    ratio_text,
)
from nordclear.dashboard.views.metrics import MetricsSampler
from nordclear.dashboard.web.security import (
    SESSION_COOKIE,
    cookie_max_age_s,
    csrf_ok,
    csrf_value,
    sign_in,
)
from nordclear.gen.common.v1 import codes_pb2, usage_pb2
from nordclear.gen.licensing.v1 import licence_pb2
from nordclear.gen.matching.v1 import report_pb2
from nordclear.gen.settlement.v1 import settlement_pb2
from nordclear.platform.auth import TokenVerifier, load_public_key
from nordclear.platform.errors import InvalidArgument, NordclearError
from nordclear.platform.logging import get_logger

log = get_logger(__name__)

HERE = Path(__file__).parent
PUBLIC_PATHS = ("/login", "/static/", "/healthz")
SECURITY_HEADERS = {
    # No script runs on any page; styles and images come from the dashboard itself.
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}

Handler = Callable[[Request], Awaitable[Response]]


class Dashboard:
    """The parts every route uses: settings, service clients, the metrics sampler, templates."""

    def __init__(self, settings: DashboardSettings, sampler: MetricsSampler | None = None) -> None:
        self.settings = settings
        self.clients = ServiceClients(settings)
        self.sampler = sampler or MetricsSampler.from_settings(settings)
        self.verifier = TokenVerifier(load_public_key(settings.token_public_key_file))
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.templates.globals.update(
            per_second=per_second,
            percent_bp=percent_bp,
            ratio_text=ratio_text,
            bar_chart=charts.bar_chart,
            sparkline=charts.sparkline,
            Bar=charts.Bar,
            query=_query_with,
        )
        self._stopped = asyncio.Event()
        self._sampling: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        """Open the channels and sample metrics while the server runs."""
        self.clients.open()
        await self.sampler.scrape_all()
        self._sampling = asyncio.create_task(self.sampler.run(self._stopped))
        log.info("dashboard started", http_address=self.settings.http_address)
        try:
            yield
        finally:
            self._stopped.set()
            await self._sampling
            await self.clients.close()

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        """``template`` with the request, the viewer and the CSRF value in its context."""
        viewer: Viewer | None = request.scope.get("viewer")
        html = self.templates.get_template(template).render(
            request=request,
            viewer=viewer,
            csrf=csrf_value(viewer.token) if viewer else "",
            path=request.url.path,
            **context,
        )
        return HTMLResponse(html, status_code=status_code)


def _query_with(request: Request, **changes: str) -> str:
    """The current query string with ``changes`` applied (empty values removed), for links."""
    params = dict(request.query_params)
    params.update(changes)
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _q(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()


def _viewer(request: Request) -> Viewer:
    viewer: Viewer = request.scope["viewer"]
    return viewer


def _today() -> Any:
    return datetime.now(UTC).date()


def create_app(settings: DashboardSettings, sampler: MetricsSampler | None = None) -> Starlette:
    """The dashboard as an ASGI application."""
    dashboard = Dashboard(settings, sampler)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def login_page(request: Request) -> Response:
        return dashboard.render(request, "login.html", error="")

    async def login(request: Request) -> Response:
        form = await request.form()
        token = str(form.get("token", "")).strip().removeprefix("Bearer ").strip()
        try:
            principal = sign_in(dashboard.verifier, token)
        except NordclearError as error:
            log.warning("sign-in refused", reason=str(error), client=_client(request))
            return dashboard.render(request, "login.html", status_code=401, error=str(error))
        expires_at_s = float(jwt.decode(token, options={"verify_signature": False})["exp"])
        log.info("signed in", principal=principal.describe(), client=_client(request))
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=cookie_max_age_s(expires_at_s),
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookie,
            path="/",
        )
        return response

    async def logout(request: Request) -> Response:
        await _checked_form(request)
        log.info("signed out", principal=_viewer(request).principal.describe())
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def overview_page(request: Request) -> Response:
        data = await overview_views.overview(dashboard.clients, dashboard.sampler, _today())
        return dashboard.render(request, "overview.html", data=data)

    async def licences_page(request: Request) -> Response:
        viewer = _viewer(request)
        chosen = licence_views.LicenceFilter(
            status=_q(request, "status"),
            hub_society=_q(request, "hub_society"),
            territory=_q(request, "territory"),
            stage=_q(request, "stage"),
            licensee_id=_q(request, "licensee_id"),
            page_token=_q(request, "page_token"),
        )
        page = await licence_views.list_licences(dashboard.clients, viewer, chosen, PAGE_SIZE)
        by_status: list[tuple[str, int]] = []
        by_hub: list[tuple[str, int]] = []
        if page.total is not None:
            # Only a service that counts cheaply (total_size) is asked for counts per status and hub.
            (by_status, _), (by_hub, _) = await asyncio.gather(
                licence_views.counts_by(dashboard.clients, viewer, "status"),
                licence_views.counts_by(dashboard.clients, viewer, "hub_society"),
            )
        sort = Sort.parse(
            _q(request, "sort"), ["licence_id", "licensee", "status", "hub_society", "issued_at"]
        )
        scrape = dashboard.sampler.latest("licensing")
        transitions = scrape.select("nordclear_licensing_transitions_total") if scrape else []
        return dashboard.render(
            request,
            "licences.html",
            transitions_by_status=_summed(transitions, "status"),
            transitions_by_hub=_summed(transitions, "hub_society"),
            page=page,
            rows=sort_rows(page.rows, sort),
            by_status=by_status,
            by_hub=by_hub,
            statuses=enum_choices(licence_pb2.LicenceStatus),
            societies=enum_choices(codes_pb2.Society, upper=True),
            territories=enum_choices(codes_pb2.Territory, upper=True),
            stages=enum_choices(codes_pb2.AiStage),
            chosen=chosen,
        )

    async def licence_page(request: Request) -> Response:
        detail, problem = await licence_views.licence_detail(
            dashboard.clients, _viewer(request), request.path_params["licence_id"]
        )
        return dashboard.render(request, "licence.html", detail=detail, problem=problem)

    async def matching_page(request: Request) -> Response:
        viewer = _viewer(request)
        chosen = matching_views.ReportFilter(
            licensee_id=_q(request, "licensee_id"),
            licence_id=_q(request, "licence_id"),
            kind=_q(request, "kind"),
            status=_q(request, "status"),
            page_token=_q(request, "page_token"),
        )
        page = await matching_views.list_reports(dashboard.clients, viewer, chosen, PAGE_SIZE)
        sort = Sort.parse(
            _q(request, "sort"), ["report_id", "licensee_id", "status", "match_rate_bp", "units_in_review"]
        )
        methods: dict[str, int] = {}
        for row in page.rows:
            for method, count in row.methods:
                methods[method] = methods.get(method, 0) + count
        scrape = dashboard.sampler.latest("matching")
        line_outcomes = _method_outcomes(scrape.select("nordclear_matching_lines_total") if scrape else [])
        return dashboard.render(
            request,
            "matching.html",
            page=page,
            rows=sort_rows(page.rows, sort),
            methods=sorted(methods.items(), key=lambda item: -item[1]),
            line_outcomes=line_outcomes,
            kinds=enum_choices(usage_pb2.UsageReportKind),
            statuses=enum_choices(report_pb2.ReportStatus),
            chosen=chosen,
        )

    async def report_page(request: Request) -> Response:
        viewer = _viewer(request)
        licensee_id, report_id = request.path_params["licensee_id"], request.path_params["report_id"]
        (report, problem), lines = await asyncio.gather(
            matching_views.get_report(dashboard.clients, viewer, licensee_id, report_id),
            matching_views.report_lines(
                dashboard.clients,
                viewer,
                licensee_id=licensee_id,
                report_id=report_id,
                match_status=_q(request, "match_status"),
                flagged_only=_q(request, "flagged") == "1",
                page_token=_q(request, "page_token"),
                page_size=PAGE_SIZE,
            ),
        )
        return dashboard.render(
            request,
            "report.html",
            report=report,
            problem=problem,
            lines=lines,
            match_statuses=enum_choices(report_pb2.MatchStatus),
        )

    async def review_page(request: Request) -> Response:
        viewer = _viewer(request)
        page = await matching_views.review_queue(
            dashboard.clients,
            viewer,
            report_id=_q(request, "report_id"),
            licence_id=_q(request, "licence_id"),
            status=_q(request, "status"),
            page_token=_q(request, "page_token"),
            page_size=PAGE_SIZE,
        )
        # The match rate of the reports on this page, so a decision's effect shows at once.
        licences = sorted({row.licence_id for row in page.rows} | ({_q(request, "licence_id")} - {""}))
        report_ids = {row.report_id for row in page.rows} | ({_q(request, "report_id")} - {""})
        reports = []
        for licence_id in licences[:5]:
            listed = await matching_views.list_reports(
                dashboard.clients, viewer, matching_views.ReportFilter(licence_id=licence_id), PAGE_SIZE
            )
            reports += [row for row in listed.rows if row.report_id in report_ids]
        return dashboard.render(
            request,
            "review.html",
            page=page,
            reports=reports,
            statuses=enum_choices(report_pb2.ReviewItemStatus),
            request_id=str(uuid.uuid4()),
            resolved=_q(request, "resolved"),
            outcome=_q(request, "outcome"),
            error=_q(request, "error"),
        )

    async def resolve_review_item(request: Request) -> Response:
        viewer = _viewer(request)
        form = await _checked_form(request)
        item_id = request.path_params["review_item_id"]
        decision = str(form.get("decision", ""))
        work_id = str(form.get("work_id", "")).strip()
        back = {"report_id": str(form.get("report_id", "")), "licence_id": str(form.get("licence_id", ""))}
        if decision not in ("accept", "unmatched") or (decision == "accept" and not work_id):
            raise InvalidArgument(
                "decision", decision, "accept a candidate's work, or mark the line unmatched"
            )
        try:
            resolution = await matching_views.resolve(
                dashboard.clients,
                viewer,
                request_id=str(form.get("request_id", "")) or str(uuid.uuid4()),
                review_item_id=item_id,
                accept_work_id=work_id if decision == "accept" else None,
                note=str(form.get("note", "")),
            )
        except ServiceProblem as error:
            log.warning(
                "review item not resolved",
                principal=viewer.principal.describe(),
                review_item_id=item_id,
                decision=decision,
                reason=error.problem.message,
            )
            query = {**back, "error": error.problem.message}
        else:
            log.info(
                "review item resolved",
                principal=viewer.principal.describe(),
                review_item_id=item_id,
                decision=decision,
                work_id=resolution.work_id,
                status=resolution.status,
                replayed=resolution.replayed,
            )
            query = {**back, "resolved": item_id, "outcome": resolution.status}
        return RedirectResponse("/matching/review?" + urlencode({k: v for k, v in query.items() if v}), 303)

    async def settlement_page(request: Request) -> Response:
        viewer = _viewer(request)
        today = _today()
        runs = await settlement_views.list_runs(dashboard.clients, viewer, _q(request, "runs_page"), 10)
        run_id = _q(request, "run") or next((r.run_id for r in runs.rows if r.status == "completed"), "")
        positions: list[settlement_views.Position] = []
        currency, positions_problem = "", None
        payments = None
        if run_id:
            (positions, currency, positions_problem), payments = await asyncio.gather(
                settlement_views.net_positions(dashboard.clients, viewer, run_id),
                settlement_views.payment_instructions(
                    dashboard.clients, viewer, run_id, _q(request, "payments_page"), PAGE_SIZE
                ),
            )
        society = _q(request, "society")
        due_soon, late, held, open_obligations = await asyncio.gather(
            settlement_views.obligations(
                dashboard.clients,
                viewer,
                today=today,
                late=False,
                society=society,
                page_token=_q(request, "due_page"),
                page_size=PAGE_SIZE,
            ),
            settlement_views.obligations(
                dashboard.clients,
                viewer,
                today=today,
                late=True,
                society=society,
                page_token=_q(request, "late_page"),
                page_size=PAGE_SIZE,
            ),
            settlement_views.suspense(
                dashboard.clients,
                viewer,
                reason=_q(request, "reason"),
                society=society,
                page_token=_q(request, "suspense_page"),
                page_size=PAGE_SIZE,
            ),
            settlement_views.obligations(
                dashboard.clients,
                viewer,
                today=today,
                late=False,
                society=society,
                due_soon_only=False,
                page_token=_q(request, "open_page"),
                page_size=PAGE_SIZE,
            ),
        )
        return dashboard.render(
            request,
            "settlement.html",
            runs=runs,
            run_id=run_id,
            positions=positions,
            currency=currency,
            positions_problem=positions_problem,
            payments=payments,
            due_soon=due_soon,
            late=late,
            held=held,
            held_rows=sort_rows(
                held.rows,
                Sort.parse(
                    _q(request, "suspense_sort"),
                    ["licence_id", "territory", "stage", "amount_minor", "reason", "held_at"],
                ),
            ),
            open_obligations=open_obligations,
            open_rows=sort_rows(
                open_obligations.rows,
                Sort.parse(
                    _q(request, "open_sort"), ["debtor", "creditor", "settlement_amount_minor", "deadline"]
                ),
            ),
            reasons=enum_choices(settlement_pb2.SuspenseReason),
            societies=enum_choices(codes_pb2.Society, upper=True),
            society=society,
        )

    async def consent_page(request: Request) -> Response:
        viewer = _viewer(request)
        chosen = consent_views.ConsentFilter(
            work=_q(request, "work"),
            society=_q(request, "society"),
            stage=_q(request, "stage"),
            page_token=_q(request, "page_token"),
        )
        heading = problem = None
        if chosen.work:
            (heading, problem), page = await asyncio.gather(
                consent_views.work_heading(dashboard.clients, viewer, chosen.work),
                consent_views.history(dashboard.clients, viewer, chosen, PAGE_SIZE),
            )
        else:
            page = await consent_views.history(dashboard.clients, viewer, chosen, PAGE_SIZE)
        sort = Sort.parse(
            _q(request, "sort"), ["recorded_at", "society", "stage", "action", "effective_from"]
        )
        return dashboard.render(
            request,
            "consent.html",
            chosen=chosen,
            heading=heading,
            heading_problem=problem,
            page=page,
            rows=sort_rows(page.rows, sort),
            societies=enum_choices(codes_pb2.Society, upper=True),
            stages=enum_choices(codes_pb2.AiStage),
        )

    async def invalid_argument(request: Request, error: Exception) -> Response:
        return dashboard.render(request, "error.html", status_code=400, message=str(error))

    async def not_found(request: Request, _error: Exception) -> Response:
        message = f"There is no page at {request.url.path}."
        return _secured(dashboard.render(request, "error.html", status_code=404, message=message))

    async def unexpected(request: Request, error: Exception) -> Response:
        # A bug, not a service's answer (those become Problems): log it whole, show a plain page.
        log.error("dashboard page failed", path=request.url.path, exc_info=error)
        message = "This page failed to render. The error is in the dashboard's log; please report it."
        return _secured(dashboard.render(request, "error.html", status_code=500, message=message))

    async def csrf_refused(_request: Request, _error: Exception) -> Response:
        return _secured(PlainTextResponse("This form has expired; reload the page and try again.", 403))

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/login", login_page, methods=["GET"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"]),
            Route("/", overview_page),
            Route("/licences", licences_page),
            Route("/licences/{licence_id:path}", licence_page),
            Route("/matching", matching_page),
            Route("/matching/review", review_page, methods=["GET"]),
            Route("/matching/review/{review_item_id}", resolve_review_item, methods=["POST"]),
            Route("/matching/reports/{licensee_id}/{report_id:path}", report_page),
            Route("/settlement", settlement_page),
            Route("/consent", consent_page),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=_guard(dashboard))],
        exception_handlers={
            InvalidArgument: invalid_argument,
            CsrfRefused: csrf_refused,
            404: not_found,
            Exception: unexpected,
        },
        lifespan=dashboard.lifespan,
    )
    return app


def _summed(samples: list[Any], label: str) -> list[tuple[str, int]]:
    """Counter values summed per value of ``label``, largest first."""
    sums: dict[str, float] = {}
    for sample in samples:
        key = sample.labels.get(label, "") or "none"
        sums[key] = sums.get(key, 0.0) + sample.value
    return sorted(((key, int(value)) for key, value in sums.items()), key=lambda item: -item[1])


@dataclass(frozen=True, slots=True)
class MethodOutcomes:
    """Lines per match method and outcome (as the matching service names them), and each method's rate."""

    outcomes: list[str]
    rows: list[tuple[str, list[int], float | None]]
    """(method, lines per outcome in ``outcomes`` order, share matched)."""


def _method_outcomes(samples: list[Any]) -> MethodOutcomes:
    """Lines per match method and outcome, from the matching service's counter."""
    table: dict[str, dict[str, float]] = {}
    for sample in samples:
        method = sample.labels.get("method", "") or "none"
        outcome = sample.labels.get("outcome", "").lower()
        table.setdefault(method, {})
        table[method][outcome] = table[method].get(outcome, 0.0) + sample.value
    outcomes = sorted({outcome for counts in table.values() for outcome in counts})
    rows = []
    for method, counts in sorted(table.items()):
        total = sum(counts.values())
        rows.append(
            (
                method,
                [int(counts.get(outcome, 0)) for outcome in outcomes],
                counts.get("matched", 0.0) / total if total else None,
            )
        )
    return MethodOutcomes(outcomes, rows)


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _guard(dashboard: Dashboard) -> Callable[[Request, Handler], Awaitable[Response]]:
    """Middleware: require a valid ops session and a CSRF value on posts; log every request."""

    async def dispatch(request: Request, call_next: Handler) -> Response:
        started = time.perf_counter()
        path = request.url.path
        principal = ""
        if not path.startswith(PUBLIC_PATHS):
            token = request.cookies.get(SESSION_COOKIE, "")
            try:
                viewer_principal = sign_in(dashboard.verifier, token)
            except NordclearError:
                response: Response = RedirectResponse("/login", status_code=303)
                if token:
                    response.delete_cookie(SESSION_COOKIE, path="/")
                return _secured(response)
            request.scope["viewer"] = Viewer(token=token, principal=viewer_principal)
            principal = viewer_principal.describe()
        if request.method == "POST" and not await _post_allowed(request):
            log.warning("form post refused: posted from another site", path=path, principal=principal)
            return _secured(PlainTextResponse("Forms are posted from the dashboard's own pages.", 403))
        response = await call_next(request)
        if path.startswith("/static/"):
            return _secured(response, static=True)
        log.info(
            "dashboard request",
            method=request.method,
            path=path,
            status=response.status_code,
            principal=principal or "anonymous",
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return _secured(response)

    return dispatch


async def _post_allowed(request: Request) -> bool:
    """A post must come from this site (browsers name the origin of a form post)."""
    origin = request.headers.get("origin")
    return not origin or origin == f"{request.url.scheme}://{request.url.netloc}"


class CsrfRefused(Exception):
    """A signed-in form post without this session's CSRF value."""


async def _checked_form(request: Request) -> FormData:
    """The posted form of a signed-in person, after checking its CSRF value."""
    form = await request.form()
    if not csrf_ok(_viewer(request).token, str(form.get("csrf", ""))):
        log.warning(
            "form post refused: CSRF check failed",
            path=request.url.path,
            principal=_viewer(request).principal.describe(),
        )
        raise CsrfRefused
    return form


def _secured(response: Response, *, static: bool = False) -> Response:
    for name, value in SECURITY_HEADERS.items():
        if static and name == "cache-control":
            # The stylesheet holds no data; let browsers keep it for an hour.
            value = "public, max-age=3600"
        response.headers.setdefault(name, value)
    return response
