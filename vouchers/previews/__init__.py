"""Previews of the documents Lexhub holds: a thumbnail of the first page and a large image of each page.

render.py  pixels from a PDF (pypdfium2) or an image (Pillow), bounded so no file can demand more
service.py where previews are stored (media, under previews/), making them (the Celery task's work),
           asking for them without blocking a page, and the URLs pages use
views.py   serving a stored preview under the same rules as the files themselves
"""
