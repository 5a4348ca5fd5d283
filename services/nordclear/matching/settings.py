"""Settings of the matching service: the platform's, plus thresholds, the re-try cadence and the bootstrap.

Every variable has the prefix ``NORDCLEAR_MATCHING_``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from nordclear.matching.domain.matcher import DEFAULT_AUTO_ACCEPT_BP, DEFAULT_REVIEW_FLOOR_BP
from nordclear.platform.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    """The matching service's settings."""

    auto_accept_threshold_bp: int = Field(
        default=DEFAULT_AUTO_ACCEPT_BP,
        ge=1,
        le=10_000,
        description="Fuzzy matches at or above this confidence are accepted without review.",
    )
    review_floor_bp: int = Field(
        default=DEFAULT_REVIEW_FLOOR_BP,
        ge=1,
        le=10_000,
        description="Candidates below this score are not worth a reviewer's time: the unit is unmatched.",
    )
    retry_interval_ms: int = Field(
        default=5_000,
        ge=100,
        description="How often the read model is checked for changes, re-trying open units if any.",
    )
    snapshot_repertoire_address: str = Field(
        default="",
        description="HOST:PORT of the repertoire; when set and the read model is empty, it is filled from "
        "the repertoire's StreamSnapshot at start. Empty: only events fill it.",
    )
    service_signing_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key (PEM) minting the matching service's token for the snapshot.",
    )

    @model_validator(mode="after")
    def _thresholds(self) -> MatchingSettings:
        if self.review_floor_bp > self.auto_accept_threshold_bp:
            raise ValueError("REVIEW_FLOOR_BP must not exceed AUTO_ACCEPT_THRESHOLD_BP")
        if self.snapshot_repertoire_address and self.service_signing_key_file is None:
            raise ValueError("SNAPSHOT_REPERTOIRE_ADDRESS needs SERVICE_SIGNING_KEY_FILE to mint its token")
        return self


def matching_settings(settings: ServiceSettings) -> MatchingSettings:
    """``settings`` as matching settings (the platform's defaults for what it does not carry)."""
    if isinstance(settings, MatchingSettings):
        return settings
    return MatchingSettings(**settings.model_dump())
