"""Reading CWR (Common Works Registration) 2.1 and 2.2 files: the format the societies already speak.

A pure reader: no database, no network, no protobuf. ``read_cwr`` (an iterable of lines) and
``read_cwr_stream`` (a binary stream, memory-bounded) yield the ``TransmissionHeader``, then per group a
``GroupHeader``, one ``Transaction`` at a time and a ``GroupSummary``, and finally a
``TransmissionSummary``; a file-level failure raises ``CwrFileRejected``, the only exception they raise.
Nothing is final until the ``TransmissionSummary``: callers stage what they read (see ``reader``).

The version comes from the HDR (CWR 2.2 writes ``2.2`` at positions 102-104; a 2.1 HDR ends before),
and each record is read with that version's layout (``layouts``). With ``expect=FileKind.REGISTRATION``
an acknowledgement (GRH ACK) or agreement file is refused with a reason naming what it is.

Every problem is a ``CwrProblem`` with a CWR validation level (``problems.Level``). The rules and their
levels, following the CWR 2.1 scheme; where a level departs from the specification it says why:

| rule                                                                                   | level |
| -------------------------------------------------------------------------------------- | ----- |
| empty file; binary data (control characters) in HDR/GRH/GRT/TRL; first record not HDR   | ER    |
| a line over 10,000 bytes (reading stops there; nothing more of the input is read)      | ER    |
| HDR: version other than 2.1/2.2, sender type, EDI version 01.10, sender name, dates    | ER    |
| GRH: transaction type not NWR/REV/ISW/EXC/ACK/AGR, group IDs not 1, 2, ...; a GRH      | ER    |
| inside a group; a record outside any group; a group not starting with a transaction    |       |
| a group of another kind than ``expect`` (an ACK file sent as a registration)           | ER    |
| TRL counts (groups, transactions, records) differ from the file; no TRL (truncated);   | ER    |
| anything after the TRL                                                                 |       |
| GRT counts or group ID differ from its group; GRH version number not the HDR's; an     | GR    |
| empty group (the spec: ER; here the TRL still vouches for the rest of the file)        |       |
| unknown record type; control characters in a record; a transaction of another type    | TR    |
| than its group; sequence numbers out of order (the spec: ER; here one transaction)     |       |
| a share not a number or above 100 %; ownership per right not 100 % or 0 % (±0.06 %);  | TR    |
| publishers above 50 % of PR; SE/AM/PA/ES publishers owning a share; no CA/A/C writer;  |       |
| collection above 100 % for a right in one TIS code                                     |       |
| NWR/REV/ISW/EXC without title, submitter work number, distribution category (JAZ, POP, | TR    |
| SER, UNC) or version type (MOD, ORI); SPU/SWR without party number, name, publisher    |       |
| sequence, publisher type or writer designation; SPT/SWT without party number, a valid  |       |
| include/exclude indicator or TIS code                                                  |       |
| a record of the other CWR version (XRF in a 2.1 file); SPT/SWT/PWR not right after its | RR    |
| SPU/SWR; ALT without title or with an unknown title type; PER/VER/ORN/XRF/NAT/NPN/NWN/ |       |
| NOW/NPA without their name or key field; PWR without the publisher's party number      |       |
| invalid ISWC, ISRC, IPI name or base number (check digits per BRIEF §3.2); a society   | FR    |
| code not in the CISAC list (000 and 099 mean "no society"); a bad date, duration, flag |       |
| or GRH batch request; an OPU/OWR type or designation not in the table; text past the   |       |
| end of the record layout; a record that is not UTF-8 in a file whose HDR declares it   |       |

RR leaves the record out of ``Transaction.records``; a record with a TR problem stays in (its transaction
is rejected whole). FR clears the field (``None``, ``""`` or 0) and keeps record and transaction, as CWR
2.1 does for an invalid ISWC; the acknowledgement reports the field. Shares are integer basis points
(``share_bp``): CWR's five digits with two implied decimals are basis points already (``05000`` is
50.00 %). Text is decoded per line as UTF-8 when valid, else ISO-8859-1 (see ``lines``), and field
positions count characters.
"""

from nordclear.repertoire.cwr.items import CwrItem, GroupSummary, Transaction, TransmissionSummary
from nordclear.repertoire.cwr.lines import MAX_LINE_BYTES
from nordclear.repertoire.cwr.problems import CwrFileRejected, CwrProblem, Level
from nordclear.repertoire.cwr.reader import read_cwr, read_cwr_stream
from nordclear.repertoire.cwr.records import (
    Acknowledgement,
    AlternateTitle,
    CrossReference,
    CwrVersion,
    DetailRecord,
    FileKind,
    GroupHeader,
    GroupTrailer,
    Message,
    NonRomanAgreementParty,
    NonRomanOtherWriter,
    NonRomanPerformer,
    NonRomanPublisherName,
    NonRomanTitle,
    NonRomanWriterName,
    OriginalWork,
    PerformingArtist,
    PublisherForWriter,
    PublisherRecord,
    PublisherTerritory,
    Recording,
    TransactionHeaderRecord,
    TransmissionHeader,
    TransmissionTrailer,
    UnmodelledRecord,
    WorkOrigin,
    WorkRecord,
    WriterRecord,
    WriterTerritory,
)

__all__ = [
    "MAX_LINE_BYTES",
    "Acknowledgement",
    "AlternateTitle",
    "CrossReference",
    "CwrFileRejected",
    "CwrItem",
    "CwrProblem",
    "CwrVersion",
    "DetailRecord",
    "FileKind",
    "GroupHeader",
    "GroupSummary",
    "GroupTrailer",
    "Level",
    "Message",
    "NonRomanAgreementParty",
    "NonRomanOtherWriter",
    "NonRomanPerformer",
    "NonRomanPublisherName",
    "NonRomanTitle",
    "NonRomanWriterName",
    "OriginalWork",
    "PerformingArtist",
    "PublisherForWriter",
    "PublisherRecord",
    "PublisherTerritory",
    "Recording",
    "Transaction",
    "TransactionHeaderRecord",
    "TransmissionHeader",
    "TransmissionSummary",
    "TransmissionTrailer",
    "UnmodelledRecord",
    "WorkOrigin",
    "WorkRecord",
    "WriterRecord",
    "WriterTerritory",
    "read_cwr",
    "read_cwr_stream",
]
