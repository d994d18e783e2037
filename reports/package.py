"""Build a period export's ZIP: every document's files, an index (CSV and XLSX), the DATEV batch, the notes.

Written aside as `<id>.zip.part` and moved into place when complete, so a half-written ZIP is never offered.
Files not mirrored yet are fetched on the backfill lane; one that cannot be fetched is listed with the reason.
"""

import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from connections.models import Connection
from connections.writes import WriteError, audit
from invoices.models import SalesDocument
from invoices.sync import ensure_document_file, refresh_sales_document
from lexoffice.client import Lexoffice, LexofficeError
from reports import datev, period, tabular
from reports.labels import status_label, type_label
from reports.models import PeriodExport
from vouchers.models import File, Voucher
from vouchers.sync import fetch_file, link_files

CHUNK = 1024 * 1024
EXTENSIONS = {"application/pdf": "pdf", "application/xml": "xml", "image/png": "png", "image/jpeg": "jpg"}


def export_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "period-exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class Entry:
    voucher: Voucher
    lines: list[period.Line]
    files: list[tuple[str, str]] = field(default_factory=list)  # (name in the ZIP, sha256)
    problems: list[str] = field(default_factory=list)


def _extension(file: File) -> str:
    suffix = Path(file.filename or "").suffix.lstrip(".").lower()
    return suffix if suffix in EXTENSIONS.values() else EXTENSIONS.get(file.content_type.split(";")[0], "bin")


def _files_of(voucher: Voucher, client: Lexoffice) -> tuple[list[File], list[str], dict]:
    """The document's files, fetched where missing; the reasons for those that could not be; its detail."""
    if voucher.is_bookkeeping:
        link_files(connection=voucher.connection, voucher=voucher)
        files, problems = [], []
        for file in voucher.files.all().order_by("id"):
            try:
                files.append(file if file.is_local else fetch_file(file=file, client=client))
            except LexofficeError as exc:
                problems.append(
                    _("File %(id)s could not be fetched: %(reason)s") % {"id": file.lexoffice_id, "reason": exc}
                )
        if not files and not problems:
            problems.append(_("No file is attached to this voucher in Lexoffice."))
        return files, problems, voucher.details or {}
    document = SalesDocument.objects.filter(connection=voucher.connection, lexoffice_id=voucher.lexoffice_id).first()
    if document is None:
        try:
            refresh_sales_document(
                connection=voucher.connection,
                kind=voucher.voucher_type,
                lexoffice_id=str(voucher.lexoffice_id),
                client=client,
            )
        except LexofficeError as exc:
            return [], [_("The document could not be fetched: %(reason)s") % {"reason": exc}], {}
        document = SalesDocument.objects.filter(
            connection=voucher.connection, lexoffice_id=voucher.lexoffice_id
        ).first()
        if document is None:
            return [], [_("The document no longer exists in Lexoffice.")], {}
    files, problems = [], []
    for fmt in ("pdf", "xml") if document.is_xrechnung else ("pdf",):
        try:
            files.append(ensure_document_file(document=document, fmt=fmt, client=client))
        except WriteError as exc:
            problems.append(
                _("The %(fmt)s file could not be fetched: %(reason)s") % {"fmt": fmt.upper(), "reason": exc.message}
            )
    return files, problems, document.raw or {}


def _copy_into(archive: zipfile.ZipFile, name: str, file: File) -> str:
    digest = hashlib.sha256()
    # Stored, not deflated: PDFs and images are compressed already, and deflating them costs most of the time.
    entry = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED
    with file.content.open("rb") as source, archive.open(entry, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    return digest.hexdigest()


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, counter = name, 2
    while candidate in taken:
        candidate, counter = f"{stem}_{counter}{dot}{ext}", counter + 1
    taken.add(candidate)
    return candidate


def _index_rows(entries: list[Entry], rates: list[Decimal], accounts: period.Accounts) -> Iterator[list[tabular.Cell]]:
    for entry in entries:
        v = entry.voucher
        by_rate = {rate: [Decimal("0")] * 3 for rate in rates}
        for line in entry.lines:
            sums = by_rate[line.rate]
            sums[0] += line.net
            sums[1] += line.tax
            sums[2] += line.gross
        open_amount = v.open_amount
        payment = _("paid") if open_amount is not None and open_amount == 0 else _("open") if open_amount else ""
        yield [
            v.voucher_date, v.voucher_number, type_label(v.voucher_type), status_label(v.voucher_status),
            v.contact_name, *[amount for rate in rates for amount in by_rate[rate]], v.total_amount,
            ", ".join(sorted({accounts.name(line.category) for line in entry.lines})), payment, open_amount,
            " | ".join(name for name, _sha in entry.files), " | ".join(sha for _name, sha in entry.files),
            " | ".join(entry.problems),
        ]  # fmt: skip


def _index_header(rates: list[Decimal]) -> list[str]:
    header = [_("Date"), _("Number"), _("Type"), _("Status"), _("Contact")]
    for rate in rates:
        header += [
            _("Net %(rate)s %%") % {"rate": rate},
            _("Tax %(rate)s %%") % {"rate": rate},
            _("Gross %(rate)s %%") % {"rate": rate},
        ]
    return [*header, _("Gross"), _("Posting category"), _("Payment"), _("Open"), _("Files"), _("SHA-256"), _("Notes")]


def _write_stream(archive: zipfile.ZipFile, name: str, chunks: Iterator[bytes]) -> None:
    with archive.open(name, "w", force_zip64=True) as target:
        for chunk in chunks:
            target.write(chunk)


def _progress(run: PeriodExport, **fields: object) -> None:
    PeriodExport.objects.filter(pk=run.pk).update(**fields)


def build(run: PeriodExport, *, accounts: period.Accounts) -> None:
    """Write the run's ZIP aside, then move it into place and record its SHA-256."""
    client = run.connection.client(lane="backfill")
    documents = list(period.period_documents(run.connection, run.start, run.end))
    _progress(run, state=PeriodExport.State.RUNNING, total=len(documents), done=0)
    final = export_dir() / f"{run.pk}.zip"
    part = final.with_suffix(".zip.part")
    entries: list[Entry] = []
    bookings: list[datev.Booking] = []
    problems: list[dict] = []
    taken: set[str] = set()
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for done, voucher in enumerate(documents, start=1):
                files, file_problems, detail = _files_of(voucher, client)
                lines = period.voucher_lines(detail) if voucher.is_bookkeeping else period.sales_lines(detail)
                entry = Entry(voucher, lines, problems=file_problems)
                day = timezone.localtime(voucher.voucher_date).date() if voucher.voucher_date else run.start
                number = period.safe_part(voucher.voucher_number or "ohne-Nummer")
                base = f"{day:%Y-%m-%d}_{number}_{period.safe_part(voucher.contact_name or '-', 40)}"
                for file in files:
                    name = _unique(f"belege/{base}.{_extension(file)}", taken)
                    entry.files.append((name, _copy_into(archive, name, file)))
                booked, booking_problems = period.bookings_for(voucher, lines, accounts)
                bookings += booked
                entry.problems += booking_problems
                problems += [{"document": voucher.voucher_number, "reason": reason} for reason in entry.problems]
                entries.append(entry)
                _progress(run, done=done)
            rates = sorted({line.rate for entry in entries for line in entry.lines}, reverse=True)
            header, rows = _index_header(rates), list(_index_rows(entries, rates, accounts))
            _write_stream(archive, "index.csv", tabular.csv_chunks(header, iter(rows), fmt="csv-de"))
            with tempfile.TemporaryFile() as spool:
                tabular.write_xlsx(spool, title=_("Index"), header=header, rows=iter(rows))
                spool.seek(0)
                with archive.open("index.xlsx", "w", force_zip64=True) as target:
                    shutil.copyfileobj(spool, target, CHUNK)
            datev_header = datev.header_line(
                created=timezone.localtime(), consultant=run.consultant_number, client=run.client_number,
                start=run.start, end=run.end, chart=run.chart, title=f"Lexhub {run.start:%m/%Y}",
                user=run.user.get_username() if run.user else "Lexhub",
            )  # fmt: skip
            batch = f"EXTF_Buchungsstapel_{run.start:%Y%m%d}_{run.end:%Y%m%d}.csv"
            _write_stream(archive, batch, iter(datev.batch_bytes(datev_header, bookings)))
            if problems:
                rows_out = ([p["document"], p["reason"]] for p in problems)
                _write_stream(
                    archive, "hinweise.csv", tabular.csv_chunks([_("Document"), _("Note")], rows_out, fmt="csv-de")
                )
        sha = _sha256(part)
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    file_count = sum(len(entry.files) for entry in entries)
    _progress(
        run, state=PeriodExport.State.DONE, documents=len(entries), files=file_count, bookings=len(bookings),
        problems=problems[:1000], path=str(final), size=final.stat().st_size, sha256=sha, finished_at=timezone.now(),
    )  # fmt: skip
    audit(
        connection=run.connection, user=run.user, action="period_export", method="", path=f"{run.start}..{run.end}",
        payload=None, status=200, result="done", message=f"SHA-256 {sha}",
    )  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def run_export(run_id: int) -> None:
    """Task body: build one queued export; a failure is recorded on the run, never half a ZIP."""
    run = PeriodExport.objects.select_related("connection", "user").get(pk=run_id)
    if run.state not in (PeriodExport.State.QUEUED, PeriodExport.State.RUNNING):
        return
    try:
        mapping = period.check_mapping(run.connection, run.chart)
        names = {c["id"]: c.get("name", "") for c in run.connection.client(lane="backfill").posting_categories()}
        build(run, accounts=period.Accounts(run.chart, mapping, names))
    except period.ExportRefused as exc:
        _progress(run, state=PeriodExport.State.FAILED, error=exc.message, finished_at=timezone.now())
    except LexofficeError as exc:
        _progress(run, state=PeriodExport.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise


def start_export(
    *, connection: Connection, user: Any, start: date, end: date, chart: str, consultant: int = 1001, client: int = 1
) -> PeriodExport:
    """Check the input (range, mapping, something to export), then queue the job; ExportRefused says why not."""
    period.check_range(start, end)
    period.check_mapping(connection, chart)
    if not period.period_documents(connection, start, end).exists():
        raise period.ExportRefused(
            _("There is nothing in this period: no vouchers or invoices dated %(start)s to %(end)s.")
            % {"start": start, "end": end}
        )
    if not (1001 <= consultant <= 9999999) or not (1 <= client <= 99999):
        raise period.ExportRefused(
            _("DATEV needs a consultant number of 1001 to 9999999 and a client number of 1 to 99999.")
        )
    return PeriodExport.objects.create(
        connection=connection, user=user if user and user.is_authenticated else None, start=start, end=end,
        chart=chart, consultant_number=consultant, client_number=client,
    )  # fmt: skip
