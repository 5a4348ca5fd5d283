"""The frame of a CWR file we write: HDR, GRH, GRT and TRL, and the counts that tie them together.

Shared by the registration writer (``writer``) and the acknowledgement writer (``ack``). Counting follows
the reader (``structure``): a GRT counts the transactions of its group and its records, GRH and GRT
included; the TRL counts groups, transactions and every record of the file, HDR and TRL included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from nordclear.repertoire.cwr.fixed import FieldValue, record_line
from nordclear.repertoire.cwr.records import CwrVersion
from nordclear.repertoire.cwr.structure import EDI_STANDARD_VERSION, GROUP_VERSION_NUMBERS

SOFTWARE_PACKAGE: Final = "NORDCLEAR"
"""Written in the CWR 2.2 HDR's software package field."""
CWR_2_2_REVISION: Final = 2
"""The CWR 2.2 revision whose layouts ``layouts`` follows (written in the 2.2 HDR)."""


@dataclass(frozen=True, slots=True)
class CwrSender:
    """Who sends a file, as its HDR names it: sender type, sender ID (9 characters) and name.

    A society is ``SO`` with its CISAC code as the ID (``CwrSender.society("079", "STIM")``); a publisher
    is ``PB`` with its IPI name number. Since CWR 2.1 revision 7 an 11-digit IPI name number puts its
    first two digits in the sender type and the other nine in the ID.
    """

    sender_type: str
    sender_id: str
    name: str

    @classmethod
    def society(cls, cisac_code: str, name: str) -> CwrSender:
        """A society sender: type ``SO``, its CISAC code zero-padded to nine digits."""
        return cls("SO", cisac_code.zfill(9), name)


def header_line(
    sender: CwrSender,
    created_at: datetime,
    version: CwrVersion,
    *,
    character_set: str = "",
    software_version: str = "",
) -> str:
    """The HDR record: the sender, the creation date and time, and (CWR 2.2) version and software."""
    values: dict[str, FieldValue] = {
        "sender_type": sender.sender_type,
        "sender_id": sender.sender_id,
        "sender_name": sender.name,
        "edi_standard_version": EDI_STANDARD_VERSION,
        "creation_date": created_at.date(),
        "creation_time": created_at.time().replace(microsecond=0),
        "transmission_date": created_at.date(),
        "character_set": character_set,
    }
    if version is CwrVersion.V2_2:
        values |= {
            "version": str(CwrVersion.V2_2),
            "revision": CWR_2_2_REVISION,
            "software_package": SOFTWARE_PACKAGE,
            "software_package_version": software_version,
        }
    return record_line("HDR", version, values)


def group_header_line(transaction_type: str, group_id: int, version: CwrVersion) -> str:
    """The GRH record opening group ``group_id`` of ``transaction_type`` transactions."""
    return record_line(
        "GRH",
        version,
        {
            "transaction_type": transaction_type,
            "group_id": group_id,
            "version_number": GROUP_VERSION_NUMBERS[version],
            "batch_request": 0,
        },
    )


def group_trailer_line(group_id: int, transaction_count: int, record_count: int, version: CwrVersion) -> str:
    """The GRT record closing a group: its transactions, and its records with GRH and GRT."""
    return record_line(
        "GRT",
        version,
        {
            "group_id": group_id,
            "transaction_count": transaction_count,
            "record_count": record_count,
            "total_monetary_value": 0,
        },
    )


def trailer_line(group_count: int, transaction_count: int, record_count: int, version: CwrVersion) -> str:
    """The TRL record: groups, transactions and records of the whole file (HDR and TRL included)."""
    return record_line(
        "TRL",
        version,
        {"group_count": group_count, "transaction_count": transaction_count, "record_count": record_count},
    )
