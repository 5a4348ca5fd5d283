"""Unit tests of the AI consent register: timelines, subjects, and the rules for appending entries."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import (
    AiStage,
    ConsentAction,
    ConsentEntry,
    PerformerAttribute,
    PerformerAttributeSubject,
    PerformerIdScheme,
    WorkSubject,
    append_consent,
    consent_history,
    consent_state,
    consent_violations,
    isni_check_character,
    normalise_isni,
)
from nordclear.repertoire.domain.rules import RuleCode, RuleViolations
from tests.unit.repertoire.domain.builders import (
    OPT_IN,
    VALID_IPI,
    WORK_SUBJECT,
    at,
    day,
    grant,
    revoke,
)

pytestmark = pytest.mark.unit

VOICE = PerformerAttributeSubject(
    PerformerIdScheme.IPI_NAME_NUMBER, VALID_IPI, PerformerAttribute.VOICE, "Ane"
)


def _granted(entries: list[ConsentEntry], on: str, stage: AiStage = AiStage.TRAINING) -> bool:
    return consent_state(entries, WORK_SUBJECT, stage, day(on)).granted


def _fields(entry: ConsentEntry, history: list[ConsentEntry] | None = None) -> list[tuple[str, RuleCode]]:
    return [(v.field, v.code) for v in consent_violations(entry, history or [])]


# --- the state on a day ------------------------------------------------------------------------------


def test_without_a_grant_there_is_no_consent() -> None:
    state = consent_state([], WORK_SUBJECT, AiStage.TRAINING, day("2025-01-01"))
    assert not state.granted
    assert state.decided_by is None
    assert "opt-in" in state.reason


def test_a_grant_applies_from_its_first_day_on() -> None:
    entries = [grant("g1", "2025-03-01")]
    assert not _granted(entries, "2025-02-28")
    assert _granted(entries, "2025-03-01")
    assert _granted(entries, "2099-12-31")
    assert consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, day("2025-03-01")).decided_by == entries[0]


def test_a_grant_applies_through_its_last_day() -> None:
    entries = [grant("g1", "2025-01-01", "2025-06-30")]
    assert _granted(entries, "2025-06-30")
    assert not _granted(entries, "2025-07-01")


def test_a_revocation_stops_consent_from_its_first_day_and_never_before() -> None:
    entries = [grant("g1", "2025-01-01"), revoke("r1", "2025-06-01", recorded="2025-05-20")]
    before = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, day("2025-05-31"))
    on = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, day("2025-06-01"))
    assert (before.granted, before.decided_by) == (True, entries[0])
    assert (on.granted, on.decided_by, on.revoked) == (False, entries[1], True)
    assert "revoked by entry r1" in on.reason
    assert not _granted(entries, "2030-01-01")


def test_a_later_grant_grants_again_from_its_own_first_day() -> None:
    entries = [
        grant("g1", "2025-01-01"),
        revoke("r1", "2025-06-01", recorded="2025-05-20"),
        grant("g2", "2025-09-01", recorded="2025-08-15"),
    ]
    assert not _granted(entries, "2025-08-31")
    assert _granted(entries, "2025-09-01")
    assert _granted(entries, "2025-05-31")


def test_a_revocation_recorded_later_covers_a_future_grant_recorded_earlier() -> None:
    # Entries are read in recorded order: the revocation came last, so it decides every day from its start.
    entries = [grant("g1", "2026-01-01"), revoke("r1", "2025-06-01", recorded="2025-06-01")]
    assert not _granted(entries, "2026-02-01")


def test_entries_are_read_in_recorded_order_not_list_order() -> None:
    entries = [
        grant("g2", "2025-09-01", recorded="2025-08-15"),
        revoke("r1", "2025-06-01", recorded="2025-05-20"),
        grant("g1", "2025-01-01"),
    ]
    assert _granted(entries, "2025-10-01")
    assert [e.entry_id for e in consent_history(entries, WORK_SUBJECT)] == ["g1", "r1", "g2"]


def test_an_expired_grant_leaves_an_open_one_in_force() -> None:
    entries = [grant("g1", "2025-01-01"), grant("g2", "2025-02-01", "2025-02-28", recorded="2025-02-01")]
    state = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, day("2025-03-15"))
    assert (state.granted, state.decided_by) == (True, entries[0])


def test_stages_are_separate() -> None:
    entries = [grant("g1", "2025-01-01", stage=AiStage.TRAINING)]
    assert _granted(entries, "2025-02-01", AiStage.TRAINING)
    assert not _granted(entries, "2025-02-01", AiStage.SERVICE)
    assert not _granted(entries, "2025-02-01", AiStage.OUTPUT)


def test_a_work_consent_never_implies_a_performer_attribute() -> None:
    entries = [grant(f"g{stage}", "2025-01-01", stage=stage) for stage in AiStage]
    for stage in AiStage:
        assert not consent_state(entries, VOICE, stage, day("2025-02-01")).granted


def test_performer_attributes_are_separate_subjects() -> None:
    entries = [grant("g1", "2025-01-01", subject=VOICE)]
    likeness = dataclasses.replace(VOICE, attribute=PerformerAttribute.LIKENESS)
    renamed = dataclasses.replace(VOICE, name="Ane Brun")
    assert consent_state(entries, VOICE, AiStage.TRAINING, day("2025-02-01")).granted
    assert consent_state(entries, renamed, AiStage.TRAINING, day("2025-02-01")).granted
    assert not consent_state(entries, likeness, AiStage.TRAINING, day("2025-02-01")).granted
    assert not consent_state(entries, WorkSubject("wrk_1"), AiStage.TRAINING, day("2025-02-01")).granted


# --- appending entries ---------------------------------------------------------------------------------


def test_appending_returns_a_longer_register_and_keeps_the_old_one() -> None:
    history: list[ConsentEntry] = []
    register = append_consent(history, grant("g1", "2025-01-01"))
    register = append_consent(register, revoke("r1", "2025-06-01", recorded="2025-06-01T08:00"))
    assert [e.entry_id for e in register] == ["g1", "r1"]
    assert history == []


def test_a_grant_needs_evidence() -> None:
    assert _fields(grant("g1", "2025-01-01", evidence=None)) == [("consent.evidence", RuleCode.CONSENT)]


def test_a_grant_ends_on_or_after_it_starts() -> None:
    assert consent_violations(grant("g1", "2025-01-01", "2025-01-01"), []) == []
    assert _fields(grant("g1", "2025-01-02", "2025-01-01")) == [
        ("consent.effective_until", RuleCode.DATE_RANGE)
    ]


def test_a_revocation_has_no_end() -> None:
    entry = dataclasses.replace(revoke("r1", "2025-06-01"), effective_until=day("2025-07-01"))
    assert _fields(entry, [grant("g1", "2025-01-01")]) == [("consent.effective_until", RuleCode.CONSENT)]


def test_there_must_be_a_grant_to_revoke() -> None:
    other_stage = grant("g1", "2025-01-01", stage=AiStage.SERVICE)
    violations = consent_violations(revoke("r1", "2025-06-01"), [other_stage])
    assert [(v.field, v.code) for v in violations] == [("consent.action", RuleCode.CONSENT)]
    assert "nothing to revoke" in violations[0].rule
    assert consent_violations(revoke("r1", "2025-06-01"), [grant("g1", "2025-01-01")]) == []


def test_a_revocation_cannot_be_backdated() -> None:
    history = [grant("g1", "2025-01-01")]
    on_the_day = revoke("r1", "2025-06-01", recorded="2025-06-01T23:59")
    backdated = revoke("r1", "2025-05-31", recorded="2025-06-01T00:00")
    assert consent_violations(on_the_day, history) == []
    assert _fields(backdated, history) == [("consent.effective_from", RuleCode.CONSENT)]


def test_a_grant_may_be_backdated() -> None:
    assert consent_violations(grant("g1", "2024-01-01", recorded="2025-03-01"), []) == []


def test_the_register_is_append_only_in_time() -> None:
    history = [grant("g1", "2025-01-01", recorded="2025-02-01")]
    assert _fields(grant("g2", "2025-01-01", recorded="2025-01-31"), history) == [
        ("consent.recorded_at", RuleCode.TIMESTAMP)
    ]
    naive = dataclasses.replace(grant("g2", "2025-01-01"), recorded_at=datetime(2025, 3, 1))
    assert _fields(naive, history) == [("consent.recorded_at", RuleCode.TIMESTAMP)]


def test_entry_ids_are_unique() -> None:
    history = [grant("g1", "2025-01-01")]
    assert _fields(grant("g1", "2025-02-01", recorded="2025-02-01"), history) == [
        ("consent.entry_id", RuleCode.DUPLICATE)
    ]
    assert _fields(grant(" ", "2025-01-01")) == [("consent.entry_id", RuleCode.REQUIRED)]


def test_evidence_is_checked() -> None:
    evidence = dataclasses.replace(
        OPT_IN, reference=" ", document_sha256="ABC", received_on=day("2025-02-02")
    )
    assert _fields(grant("g1", "2025-01-01", evidence=evidence, recorded="2025-02-01")) == [
        ("consent.evidence.reference", RuleCode.REQUIRED),
        ("consent.evidence.document_sha256", RuleCode.IDENTIFIER),
        ("consent.evidence.received_on", RuleCode.DATE_RANGE),
    ]


def test_subjects_are_normalised_or_refused() -> None:
    padded = dataclasses.replace(VOICE, performer_id="014107338")
    register = append_consent([], grant("g1", "2025-01-01", subject=padded))
    assert register[0].subject == VOICE
    bad = dataclasses.replace(VOICE, performer_id="00014107339")
    assert _fields(grant("g1", "2025-01-01", subject=bad)) == [
        ("consent.subject.performer_attribute.ipi_name_number", RuleCode.IDENTIFIER)
    ]
    assert _fields(grant("g1", "2025-01-01", subject=WorkSubject(" "))) == [
        ("consent.subject.work_id", RuleCode.REQUIRED)
    ]


def test_a_refused_entry_lists_every_violation() -> None:
    entry = dataclasses.replace(grant("g1", "2025-02-01", "2025-01-01", evidence=None), entry_id="")
    with pytest.raises(RuleViolations) as caught:
        append_consent([], entry)
    assert [v.field for v in caught.value.violations] == [
        "consent.entry_id",
        "consent.evidence",
        "consent.effective_until",
    ]


# --- ISNI ------------------------------------------------------------------------------------------------


def test_isni_is_normalised_and_checked() -> None:
    assert normalise_isni("0000 0002 1825 0097") == "0000000218250097"
    assert isni_check_character("000000021825009") == "7"
    assert normalise_isni("0000-0002-1694-233x") == "000000021694233X"
    for bad in ("0000000218250098", "000000021825009", "0000 0002 1825 009A", "\uff10" * 16):
        with pytest.raises(InvalidArgument):
            normalise_isni(bad, "isni")


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_every_15_digits_have_exactly_one_valid_isni(digits: str) -> None:
    check = isni_check_character(digits)
    assert normalise_isni(digits + check) == digits + check
    assert sum(1 for c in "0123456789X" if _is_isni(digits + c)) == 1


def _is_isni(value: str) -> bool:
    try:
        normalise_isni(value)
    except InvalidArgument:
        return False
    return True


# --- timelines (properties) -------------------------------------------------------------------------------

BASE_DAY = date(2025, 1, 1)
BASE_TIME = at("2025-01-01")
_entry_specs = st.lists(
    st.tuples(
        st.sampled_from(list(ConsentAction)),
        st.integers(min_value=0, max_value=60),
        st.none() | st.integers(min_value=0, max_value=30),
    ),
    max_size=8,
)


def _timeline(specs: list[tuple[ConsentAction, int, int | None]]) -> list[ConsentEntry]:
    entries = []
    for index, (action, start, length) in enumerate(specs):
        first = BASE_DAY + timedelta(days=start)
        entry = ConsentEntry(
            entry_id=f"e{index}",
            subject=WORK_SUBJECT,
            stage=AiStage.TRAINING,
            action=action,
            effective_from=first,
            effective_until=first + timedelta(days=length)
            if action is ConsentAction.GRANT and length is not None
            else None,
            evidence=OPT_IN,
            recorded_by=grant("x", "2025-01-01").recorded_by,
            recorded_at=BASE_TIME + timedelta(minutes=index),
            society=grant("x", "2025-01-01").society,
        )
        entries.append(entry)
    return entries


def _days() -> list[date]:
    return [BASE_DAY + timedelta(days=offset) for offset in range(-1, 93)]


@given(_entry_specs, st.integers(min_value=0, max_value=90))
def test_appending_a_revocation_never_changes_a_day_before_it(
    specs: list[tuple[ConsentAction, int, int | None]], revoked_from: int
) -> None:
    entries = _timeline(specs)
    revocation = _timeline([*specs, (ConsentAction.REVOKE, revoked_from, None)])[-1]
    for on in _days():
        before = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, on)
        after = consent_state([*entries, revocation], WORK_SUBJECT, AiStage.TRAINING, on)
        if on < revocation.effective_from:
            assert after == before
        else:
            assert not after.granted
            assert after.decided_by == revocation


@given(_entry_specs)
def test_no_day_is_granted_without_a_grant_covering_it(
    specs: list[tuple[ConsentAction, int, int | None]],
) -> None:
    entries = _timeline(specs)
    grants = [e for e in entries if e.action is ConsentAction.GRANT]
    for on in _days():
        state = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, on)
        if state.granted:
            assert state.decided_by in grants
            assert state.decided_by is not None
            assert state.decided_by.applies_on(on)
        if not any(g.applies_on(on) for g in grants):
            assert not state.granted


@given(
    _entry_specs, st.integers(min_value=0, max_value=60), st.none() | st.integers(min_value=0, max_value=30)
)
def test_appending_a_grant_changes_only_its_own_days(
    specs: list[tuple[ConsentAction, int, int | None]], start: int, length: int | None
) -> None:
    entries = _timeline(specs)
    new_grant = _timeline([*specs, (ConsentAction.GRANT, start, length)])[-1]
    for on in _days():
        before = consent_state(entries, WORK_SUBJECT, AiStage.TRAINING, on)
        after = consent_state([*entries, new_grant], WORK_SUBJECT, AiStage.TRAINING, on)
        assert after.granted if new_grant.applies_on(on) else after == before
