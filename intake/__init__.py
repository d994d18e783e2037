"""Receipts that arrive by themselves: an IMAP mailbox and a watched folder per connection.

models.py    Mailbox and WatchedFolder (the doors, with their reachability state) and IntakeItem (one row per
             mail part or file, written before anything is sent: the record that makes intake exactly-once)
mime.py      which parts of a mail are receipts, and why the others are skipped
items.py     recording parts and files as items, and taking an item through the receipt checks and upload path
             of vouchers.receipts (store_receipt, push_upload) that the drop zone uses
imap.py      one poll of a mailbox: record new mails, settle their items, move settled mails away
folder.py    one poll of a watched folder: stable files recorded, settled, moved to processed/ or failed/
doors.py     leases and backoff the two doors share
tasks.py     beat's poll, one task per due door
views.py, forms.py, api.py, urls.py   the intake page per connection and /api/v1/intake/
"""
