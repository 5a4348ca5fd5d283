"""The licensing service's settings: the shared ones plus the licence signing key and the tariff book."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from nordclear.platform.settings import DATA_DIR, ServiceSettings

LICENCE_KEY_FILE_NAME = "licence-signing.pem"


class LicensingSettings(ServiceSettings):
    """``NORDCLEAR_LICENSING_…`` variables."""

    licence_signing_key_file: Path | None = Field(
        default=None,
        description=(
            "Ed25519 private key (PEM) that signs licence documents, never the token-signing key; unset: "
            "licence-signing.pem beside the token public key. Generated there when it does not exist."
        ),
    )
    tariff_book_file: Path | None = Field(
        default=None,
        description="JSON tariff book (tariffs, admin fees, FX rates); unset: the illustrative demo book.",
    )

    expiry_check_interval_ms: int = Field(
        default=3_600_000, ge=1_000, description="How often licences whose term ended are expired."
    )

    def signing_key_paths(self) -> list[Path]:
        """Where the licence signing key is looked for (and generated), in order.

        Set explicitly, only there. Otherwise beside the token public key (the embedded stack's keys
        folder), then in the data folder, for deployments whose token key is mounted read-only.
        """
        if self.licence_signing_key_file is not None:
            return [self.licence_signing_key_file]
        return [
            self.token_public_key_file.parent / LICENCE_KEY_FILE_NAME,
            DATA_DIR / "keys" / LICENCE_KEY_FILE_NAME,
        ]

    @field_validator("licence_signing_key_file", "tariff_book_file", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value


def licensing_settings(settings: ServiceSettings) -> LicensingSettings:
    """``settings`` as licensing settings (the defaults filled in when given the shared ones)."""
    if isinstance(settings, LicensingSettings):
        return settings
    return LicensingSettings.model_validate(settings.model_dump())
