"""Property-based tests: whatever an FX-rates CSV file holds, loading it gives rates or a named error.

Rates files come from central banks' downloads, saved and forwarded by people: cut off, re-encoded,
edited in a spreadsheet. ``parse_rates_csv`` either returns every rate of the file or raises
``InvalidArgument`` naming the file, its header, or the line and column at fault, never any other
exception (which the servicer would answer as INTERNAL), and never a rate the file does not hold.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nordclear.platform.errors import InvalidArgument
from nordclear.settlement.domain.fx import FxRate, parse_rates_csv

pytestmark = pytest.mark.unit

SOURCE = "ECB euro foreign exchange reference rates"
WIDE = (
    b"Date, USD, JPY, DKK, ISK, NOK, SEK, \n"
    b"31 March 2026, 1.0812, 163.12, 7.4604, 150.10, 11.6540, 11.1234, \n"
    b"30 March 2026, 1.0799, N/A, 7.4610, 150.30, 11.6602, 11.1301, \n"
)
LONG = (
    b"rate_date,base_currency,quote_currency,rate\n"
    b"2026-03-31,SEK,NOK,1.0477\n"
    b"2026-03-31,EUR,DKK,7.4604\n"
    b"2026-03-30,EUR,ISK,150.30\n"
)
SEEDS = {"wide": WIDE, "long": LONG}
_BYTES = st.sampled_from([*b'0123456789,."- ANSEKOKaen/\n\r', 0x00, 0xC5, 0xE5, 0xFF])


def _load(content: bytes) -> list[FxRate] | None:
    """The rates, or None when the file was refused with a field-naming ``InvalidArgument``."""
    refused: InvalidArgument | None = None
    try:
        rates = parse_rates_csv(content, SOURCE)
    except InvalidArgument as error:
        refused = error
    if refused is not None:
        assert refused.field.startswith(("csv_file", "quote_currency_code")), refused
        return None
    for rate in rates:
        assert rate.rate_ppb > 0
        assert rate.source == SOURCE
        assert rate.base_currency_code != rate.quote_currency_code
    return rates


@pytest.mark.parametrize("shape", sorted(SEEDS))
def test_the_seed_files_load(shape: str) -> None:
    assert _load(SEEDS[shape])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
@example(b"Date,SEK\n2026-03-31," + b"1" * 200_000 + b"\n")  # a cell beyond the csv module's field limit
def test_random_bytes_give_rates_or_a_named_error(data: bytes) -> None:
    _load(data)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.text(max_size=800))
def test_a_header_then_random_text_gives_rates_or_a_named_error(shape: str, text: str) -> None:
    header = SEEDS[shape].split(b"\n", 1)[0] + b"\n"
    _load(header + text.encode("utf-8", errors="surrogatepass"))


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    lines = SEEDS[draw(st.sampled_from(sorted(SEEDS)))].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        line = lines[index]
        position = draw(st.integers(0, len(line)))
        edit = draw(
            st.sampled_from(["insert", "delete", "cut", "drop", "repeat", "swap", "fields", "encoding"])
        )
        if edit == "insert":
            lines[index] = line[:position] + bytes([draw(_BYTES)]) + line[position:]
        elif edit == "delete":
            lines[index] = line[:position] + line[position + 1 :]
        elif edit == "cut":
            del lines[index + 1 :]
            lines[index] = line[:position]
        elif edit == "drop" and len(lines) > 1:
            del lines[index]
        elif edit == "repeat":
            lines.insert(index, line)
        elif edit == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif edit == "fields":
            cells = line.rstrip(b"\n").split(b",")
            i, j = draw(st.integers(0, len(cells) - 1)), draw(st.integers(0, len(cells) - 1))
            cells[i], cells[j] = cells[j], cells[i]
            lines[index] = b",".join(cells) + b"\n"
        elif edit == "encoding":
            lines[index] = line.decode(errors="replace").encode(
                draw(st.sampled_from(["utf-16", "latin-1", "utf-8-sig"])), errors="replace"
            )
    return b"".join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_mutated_files_give_rates_or_a_named_error(content: bytes) -> None:
    _load(content)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(SEEDS)), st.data())
def test_a_file_cut_inside_a_quoted_cell_is_refused(shape: str, data: st.DataObject) -> None:
    # A quoted cell left open at the end is a cut-off file; reading it as a shorter rate would be wrong.
    lines = SEEDS[shape].splitlines(keepends=True)
    row = data.draw(st.integers(1, len(lines) - 1))
    cells = lines[row].rstrip(b"\n").split(b",")
    column = data.draw(st.integers(1, len(cells) - 1))
    cells[column] = b'"' + cells[column]
    content = b"".join(lines[:row]) + b",".join(cells[: column + 1])

    assert _load(content) is None
