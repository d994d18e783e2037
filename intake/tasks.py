"""Beat's intake tick: one poll task per due mailbox and watched folder (each takes its door's lease)."""

from celery import shared_task

from intake import doors
from intake.folder import poll_folder
from intake.imap import poll_mailbox
from intake.models import Mailbox, WatchedFolder


@shared_task
def poll_due_doors_task() -> int:
    mailboxes, folders = doors.due(Mailbox), doors.due(WatchedFolder)
    for mailbox_id in mailboxes:
        poll_mailbox_task.delay(mailbox_id)
    for folder_id in folders:
        poll_folder_task.delay(folder_id)
    return len(mailboxes) + len(folders)


@shared_task
def poll_mailbox_task(mailbox_id: int) -> None:
    poll_mailbox(mailbox_id=mailbox_id)


@shared_task
def poll_folder_task(folder_id: int) -> None:
    poll_folder(folder_id=folder_id)
