"""Sampling every service's Prometheus ``/metrics`` so pages can show rates, not only running totals.

A counter alone says how many calls a service has handled since it started; a person wants to know how
many per second right now. The sampler scrapes every service on an interval and keeps a short history,
so a rate is the difference between two samples divided by the time between them, as Prometheus'
``rate()`` computes it. The dashboard needs no Prometheus server to run, and production dashboards in
Grafana read the same metrics (see ``deploy/grafana``).
"""

from __future__ import annotations

import asyncio
import itertools
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from nordclear.dashboard.settings import DashboardSettings
from nordclear.platform.logging import get_logger
from nordclear.platform.topology import SERVICES

log = get_logger(__name__)

HISTORY_SAMPLES = 60
"""Scrapes kept per service: ten minutes at the default ten-second interval, enough for a sparkline."""
RATE_WINDOW_S = 120.0
"""Rates are taken over (up to) the last two minutes of samples: smooth, yet recent."""
SCRAPE_TIMEOUT_S = 2.0

Labels = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Sample:
    """One time series' value in one scrape, named as exposed (counters end in ``_total``)."""

    name: str
    labels: Labels
    value: float


@dataclass(frozen=True, slots=True)
class Scrape:
    """Everything one service's ``/metrics`` said at one moment, or why it could not be read."""

    service: str
    at_s: float
    samples: tuple[Sample, ...] = ()
    error: str = ""

    @property
    def ok(self) -> bool:
        """The endpoint answered."""
        return not self.error

    def select(self, name: str, where: Callable[[Labels], bool] | None = None) -> list[Sample]:
        """Samples called ``name`` whose labels satisfy ``where``."""
        return [s for s in self.samples if s.name == name and (where is None or where(s.labels))]

    def total(self, name: str, where: Callable[[Labels], bool] | None = None) -> float | None:
        """Sum of the matching samples; None when the metric has no series (nothing happened yet)."""
        found = self.select(name, where)
        return sum(s.value for s in found) if found else None

    def by_label(self, name: str, label: str) -> dict[str, float]:
        """Sum of ``name`` per value of ``label``."""
        sums: dict[str, float] = {}
        for sample in self.select(name):
            key = sample.labels.get(label, "")
            sums[key] = sums.get(key, 0.0) + sample.value
        return sums


def parse_exposition(service: str, at_s: float, text: str) -> Scrape:
    """A scrape from the Prometheus text format."""
    samples = tuple(
        Sample(sample.name, dict(sample.labels), float(sample.value))
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    )
    return Scrape(service=service, at_s=at_s, samples=samples)


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=SCRAPE_TIMEOUT_S) as response:  # noqa: S310 - configured URL
        body: bytes = response.read()
        return body.decode("utf-8")


@dataclass
class MetricsSampler:
    """Keeps the last ``HISTORY_SAMPLES`` scrapes of every service."""

    urls: Mapping[str, str]
    interval_s: float
    clock: Callable[[], float] = time.time
    history: dict[str, deque[Scrape]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: DashboardSettings) -> MetricsSampler:
        """A sampler of every service's configured metrics URL."""
        return cls(
            urls={spec.name: settings.metrics_url(spec) for spec in SERVICES},
            interval_s=settings.scrape_interval_ms / 1000,
        )

    async def scrape_all(self) -> None:
        """Scrape every service once, concurrently; an unreachable one is recorded as such."""
        await asyncio.gather(*(self._scrape(service, url) for service, url in self.urls.items()))

    async def _scrape(self, service: str, url: str) -> None:
        at_s = self.clock()
        try:
            text = await asyncio.to_thread(_fetch, url)
            scrape = parse_exposition(service, at_s, text)
        except (OSError, ValueError) as error:
            scrape = Scrape(service=service, at_s=at_s, error=f"{url}: {error}")
        self.record(scrape)

    def record(self, scrape: Scrape) -> None:
        """Keep ``scrape`` in its service's history."""
        self.history.setdefault(scrape.service, deque(maxlen=HISTORY_SAMPLES)).append(scrape)

    async def run(self, stopped: asyncio.Event) -> None:
        """Scrape on the interval until ``stopped`` is set."""
        while not stopped.is_set():
            await self.scrape_all()
            try:
                await asyncio.wait_for(stopped.wait(), timeout=self.interval_s)
            except TimeoutError:
                continue

    def latest(self, service: str) -> Scrape | None:
        """The newest scrape of ``service``, if any."""
        scrapes = self.history.get(service)
        return scrapes[-1] if scrapes else None

    def rate(self, service: str, name: str, where: Callable[[Labels], bool] | None = None) -> float | None:
        """Per-second increase of counter ``name`` over the rate window; None until two samples exist."""
        pair = self._window(service)
        if pair is None:
            return None
        first, last = pair
        return _increase(first, last, name, where) / (last.at_s - first.at_s)

    def rate_series(
        self, service: str, name: str, where: Callable[[Labels], bool] | None = None
    ) -> list[float]:
        """Per-second increase between each pair of consecutive good samples, oldest first."""
        good = [s for s in self.history.get(service, ()) if s.ok]
        return [
            _increase(a, b, name, where) / (b.at_s - a.at_s)
            for a, b in itertools.pairwise(good)
            if b.at_s > a.at_s
        ]

    def _window(self, service: str) -> tuple[Scrape, Scrape] | None:
        good = [s for s in self.history.get(service, ()) if s.ok]
        if len(good) < 2:
            return None
        last = good[-1]
        in_window = [s for s in good[:-1] if last.at_s - s.at_s <= RATE_WINDOW_S]
        first = in_window[0] if in_window else good[-2]
        return (first, last) if last.at_s > first.at_s else None


def _increase(first: Scrape, last: Scrape, name: str, where: Callable[[Labels], bool] | None) -> float:
    """How much a counter grew between two scrapes, series by series; a reset counts from zero."""
    before = {_key(s.labels): s.value for s in first.select(name, where)}
    grown = 0.0
    for sample in last.select(name, where):
        previous = before.get(_key(sample.labels), 0.0)
        # A restarted service starts its counters at zero again; what it counted since is the increase.
        grown += sample.value - previous if sample.value >= previous else sample.value
    return grown


def _key(labels: Labels) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))
