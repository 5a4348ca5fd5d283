"""An application is checked whole, and every refusal names the field, the value and the rule."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nordclear.licensing.domain.model import (
    Contact,
    Licensee,
    Scope,
    TrainingDeclaration,
    TrainingDisclosure,
    validated_licensee,
    validated_scope,
    validated_terms,
)
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage

STIM = society_by_name("STIM")
NONE = TrainingDeclaration(TrainingDisclosure.NONE)


def _scope(**overrides: object) -> Scope:
    values: dict[str, object] = {
        "model_name": "Skald",
        "model_version": "2.1",
        "stages": [AiStage.OUTPUT, AiStage.TRAINING],
        "territories": [Territory.SE, Territory.DK],
        "term_start": date(2026, 1, 1),
        "term_end": date(2026, 12, 31),
    }
    values.update(overrides)
    return validated_scope(**values)  # type: ignore[arg-type]


def test_a_valid_scope_is_put_in_canonical_order() -> None:
    scope = _scope()
    assert scope.stages == (AiStage.TRAINING, AiStage.OUTPUT)
    assert scope.territories == (Territory.DK, Territory.SE)


@pytest.mark.parametrize(
    ("overrides", "field", "rule"),
    [
        ({"territories": []}, "application.territories", "at least one"),
        ({"territories": [Territory.SE, Territory.SE]}, "application.territories", "listed twice"),
        ({"stages": []}, "application.stages", "at least one stage"),
        ({"stages": [AiStage.SERVICE, AiStage.SERVICE]}, "application.stages", "listed twice"),
        ({"model_version": "  "}, "application.model_version", "new model version needs a new licence"),
        ({"model_name": ""}, "application.model_name", "required"),
        ({"term_end": date(2025, 12, 31)}, "application.term", "last day may not be before the first"),
        ({"term_start": None}, "application.term.start_date", "first day"),
        ({"term_end": None}, "application.term.end_date", "last day"),
    ],
)
def test_a_bad_scope_is_refused_naming_field_and_rule(
    overrides: dict[str, object], field: str, rule: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        _scope(**overrides)
    assert refused.value.field == field
    assert rule in refused.value.rule


@pytest.mark.parametrize(
    ("revenue", "outputs", "training", "field", "rule"),
    [
        (Money.of("SEK", -1), 0, NONE, "application.expected_revenue.amount_minor", "negative"),
        (Money.of("EUR", 100), 0, NONE, "application.expected_revenue.currency_code", "must be SEK"),
        (Money.of("SEK", 0), -5, NONE, "application.expected_output_count", "negative"),
        (
            Money.of("SEK", 0),
            0,
            TrainingDeclaration(TrainingDisclosure.FULL_MANIFEST, 0),
            "application.training_data.declared_item_count",
            "at least 1",
        ),
        (
            Money.of("SEK", 0),
            0,
            TrainingDeclaration(TrainingDisclosure.NONE, 12),
            "application.training_data.declared_item_count",
            "must be 0 without a manifest",
        ),
    ],
)
def test_bad_commercial_terms_are_refused(
    revenue: Money, outputs: int, training: TrainingDeclaration, field: str, rule: str
) -> None:
    with pytest.raises(InvalidArgument) as refused:
        validated_terms(STIM, revenue, outputs, training)
    assert refused.value.field == field
    assert rule in refused.value.rule


def test_scopes_overlap_only_for_the_same_model_version_stage_territory_and_days() -> None:
    base = _scope()
    assert base.overlaps(_scope(model_name="SKALD", stages=[AiStage.TRAINING], territories=[Territory.SE]))
    assert not base.overlaps(_scope(model_version="2.2"))
    assert not base.overlaps(_scope(stages=[AiStage.SERVICE]))
    assert not base.overlaps(_scope(territories=[Territory.NO]))
    assert not base.overlaps(_scope(term_start=date(2027, 1, 1), term_end=date(2027, 6, 30)))


def test_a_licensee_needs_a_country_and_a_reachable_contact() -> None:
    valid = Licensee(
        "skald-ai", " Skald AI AB ", "se", "", (Contact("Astrid", "legal@skald.example"),), datetime.now(UTC)
    )
    assert validated_licensee(valid).country_code == "SE"
    assert validated_licensee(valid).legal_name == "Skald AI AB"
    with pytest.raises(InvalidArgument) as no_contact:
        validated_licensee(Licensee("x", "X", "SE", "", (), datetime.now(UTC)))
    with pytest.raises(InvalidArgument) as bad_mail:
        validated_licensee(Licensee("x", "X", "SE", "", (Contact("A", "nope"),), datetime.now(UTC)))
    with pytest.raises(InvalidArgument) as bad_country:
        validated_licensee(Licensee("x", "X", "Sweden", "", (Contact("A", "a@b.se"),), datetime.now(UTC)))
    assert no_contact.value.field == "licensee.contacts"
    assert bad_mail.value.field == "licensee.contacts[0].email"
    assert bad_country.value.field == "licensee.country_code"
