"""Completing uploaded receipts in Lexhub: Lexoffice makes an `unchecked` voucher ("Zu prüfen") of each upload;
here it is filled in beside its preview and saved through the outbox, which moves it to `open` and keeps its files.

forms.py    the form: type, number, dates, contact, gross amounts per tax rate with a posting category by name
service.py  Lexoffice's voucher JSON from the form, posting categories (cached), saving with a version, and a
            concurrent change merged when it touched other fields, else returned as a conflict
views.py    the queue of vouchers to complete and the completion page (save and next, previous, skip)
"""
