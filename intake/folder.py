"""One poll of a watched folder: each file whose last change is a few seconds old is recorded (its bytes are
kept), settled through the receipt path, then moved to processed/ (uploaded, duplicate) or failed/ (refused,
not a receipt, refused by Lexoffice) with a .reason.txt beside it. A file is recorded once per name, size and
modification time, so a worker killed between upload and move finds the item settled and only moves it."""

import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from intake import doors, mime
from intake.items import Received, record, settle_open
from intake.models import DoorState, IntakeItem, WatchedFolder

PROCESSED, FAILED = "processed", "failed"
REASON_SUFFIX = ".reason.txt"
MISSING = gettext_noop("The folder does not exist or cannot be read.")
TOO_LARGE = gettext_noop("The file is larger than 25 MB; it was not read.")
READ_LIMIT = 25 * 1024 * 1024  # files up to this are read and left to the receipt checks to judge
BATCH = 500
GOES_TO = {IntakeItem.State.UPLOADED.value: PROCESSED, IntakeItem.State.DUPLICATE.value: PROCESSED}


def root() -> Path:
    return Path(settings.LEXHUB_INTAKE_ROOT).resolve()


def resolve(path: str) -> Path:
    """The folder for a configured path, which must lie inside LEXHUB_INTAKE_ROOT (else ValidationError)."""
    base = root()
    candidate = (base / path.strip()).resolve()
    if candidate == base or not candidate.is_relative_to(base):
        raise ValidationError(_("Choose a folder inside the intake root (%(root)s).") % {"root": base})
    return candidate


def poll_folder(*, folder_id: int) -> None:
    if not doors.take(WatchedFolder, folder_id):
        return
    watched = WatchedFolder.objects.select_related("connection").get(pk=folder_id)
    try:
        directory = resolve(watched.path)
        if not directory.is_dir():
            raise FileNotFoundError(directory)
        more = _poll(watched, directory)
    except (ValidationError, OSError):
        doors.failed(WatchedFolder, folder_id, state=DoorState.MISSING, detail=MISSING)
    else:
        doors.succeeded(WatchedFolder, folder_id, more=more)


def _poll(watched: WatchedFolder, directory: Path) -> bool:
    for name in (PROCESSED, FAILED):
        (directory / name).mkdir(exist_ok=True)
    stable_before = time.time() - settings.LEXHUB_INTAKE_STABLE_SECONDS
    files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    for path in files[:BATCH]:
        stat = path.stat()
        if stat.st_mtime > stable_before:
            continue  # still being written (a scanner, a copy): taken once it has been quiet for a while
        _take_file(watched, directory, path, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
        doors.renew(WatchedFolder, watched.pk)
    return len(files) > BATCH


def _take_file(watched: WatchedFolder, directory: Path, path: Path, *, size: int, mtime_ns: int) -> None:
    connection = watched.connection
    message_key = f"{path.name}:{size}:{mtime_ns}"
    items = IntakeItem.objects.filter(connection=connection, source=IntakeItem.Source.FOLDER, message_key=message_key)
    if not items.exists():
        payload = b"" if size > READ_LIMIT else path.read_bytes()
        skip = mime.skip_reason("", path.name, "attachment", payload) if payload else ""
        record(
            connection=connection,
            source=IntakeItem.Source.FOLDER,
            received=[
                Received(
                    source_key=message_key,
                    message_key=message_key,
                    part_index=0,
                    filename=path.name,
                    content_type="",
                    payload=payload,
                    skip_reason=skip,
                )
            ],
        )
        if size > READ_LIMIT:  # not read at all
            items.update(state=IntakeItem.State.REFUSED, reason=TOO_LARGE, size=size)
    if not settle_open(connection=connection, message_key=message_key, source=IntakeItem.Source.FOLDER):
        return
    item = items.get()
    target = directory / GOES_TO.get(item.state, FAILED)
    destination = _free_name(target, path.name)
    if item.reason:
        destination.with_name(destination.name + REASON_SUFFIX).write_text(item.reason + "\n", encoding="utf-8")
    path.rename(destination)


def _free_name(target: Path, name: str) -> Path:
    candidate = target / name
    counter = 1
    while candidate.exists():
        stem, dot, extension = name.rpartition(".")
        candidate = target / (f"{stem}-{counter}.{extension}" if dot else f"{name}-{counter}")
        counter += 1
    return candidate
