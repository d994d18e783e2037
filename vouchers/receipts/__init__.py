"""Receipt upload, from every door (inbox, voucher page, REST API) to the voucher Lexoffice makes of it.

checks.py  what a file must pass before it is stored: size while streaming, type by content, safe name, no duplicate
sync.py    the service: store the file, send it to Lexoffice (or leave it pending for the sweeper), follow it to
           its voucher
http.py    what the HTML doors share: the size guard installed before the body is read, per-file outcomes as
           HTML or JSON
views.py   the receipts inbox and the voucher page's drop zone; urls.py mounts the inbox at /receipts/
api.py     REST: /api/v1/uploads/, and the multipart plumbing /api/v1/vouchers/{id}/files/ shares
"""
