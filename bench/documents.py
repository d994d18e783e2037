"""Documents (#19): thumbnails for 1,000 PDFs (CPU time), search over 100,000 documents' text against a plain
icontains scan of the same text, and resident memory while previewing 200 documents.

The previews run in this process through the worker's own function (vouchers.previews.service.make_previews,
what render_preview_task calls); its RSS is the worker's for this work."""

import os
import random
import statistics
import time
import uuid

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection as db
from django.db.models import Exists, OuterRef

from bench.rows import Row
from bench.server import rss_kib

WORDS = (
    "Rechnung Quittung Betrag Summe Netto Brutto Steuer Kasse Beleg Tankstelle Bäckerei Baumarkt Papier Kaffee "
    "Miete Strom Wasser Telefon Internet Versand Porto Büro Werkzeug Schrauben Farbe Lack Holz Glas Reinigung"
).split()
RARE = "Zitronenpresse"  # printed on one document in 2,000


def scan_pdf(seed: int) -> bytes:
    """A one-page scan (a photographed page in a PDF), as scanner apps write receipts."""
    import io

    from PIL import Image

    rng = random.Random(seed)
    page = Image.frombytes("L", (310, 438), rng.randbytes(310 * 438)).resize((1240, 1754))
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def text_pdf(seed: int) -> bytes:
    from sandbox.documents import pdf

    rng = random.Random(seed)
    return pdf([" ".join(rng.choices(WORDS, k=8)) for _ in range(30)])


def connection_for(name: str):
    from connections.models import Connection

    user, _ = get_user_model().objects.get_or_create(username="bench-documents")
    found = Connection.objects.filter(name=name).first()
    if found is None:
        found = Connection(name=name, owner=user, base_url="http://127.0.0.1:9", rate_limit=1000)
        found.set_api_key("bench-documents-unused")
        found.save()
    return found


def stored_files(connection, count: int, *, seed: int) -> list[int]:
    from vouchers.models import File

    ids = []
    for index in range(count):
        content = scan_pdf(seed + index) if index % 2 else text_pdf(seed + index)
        file = File.objects.create(connection=connection, lexoffice_id=uuid.uuid4())
        file.content.save(str(file.lexoffice_id), ContentFile(content))
        ids.append(file.pk)
    return ids


def thumbnails(count: int) -> list[Row]:
    from vouchers.previews.service import make_previews

    connection = connection_for(f"bench documents previews {uuid.uuid4().hex[:6]}")
    ids = stored_files(connection, count, seed=1)
    started = time.process_time()
    for file_id in ids:
        make_previews(file_id=file_id)
    cpu = time.process_time() - started
    print(f"   previews of {count} PDFs (half scans, half text; thumbnail + page image): {cpu:.1f} s CPU", flush=True)
    return [
        Row(f"documents: previews of {count} PDFs, CPU per PDF", 150.0, 1000 * cpu / count, "ms"),
        Row(f"documents: previews of {count} PDFs, CPU in all", 150.0 * count / 1000, cpu, "s"),
    ]


def worker_memory(count: int) -> list[Row]:
    from vouchers.previews.service import make_previews

    connection = connection_for(f"bench documents memory {uuid.uuid4().hex[:6]}")
    ids = stored_files(connection, count + 10, seed=5000)
    for file_id in ids[:10]:  # warm-up: libraries loaded, allocator pools settled
        make_previews(file_id=file_id)
    before = rss_kib(os.getpid())
    for file_id in ids[10:]:
        make_previews(file_id=file_id)
    growth = (rss_kib(os.getpid()) - before) / 1024
    return [Row(f"documents: RSS growth previewing {count} documents", 50.0, growth, "MiB")]


def search_corpus(count: int) -> object:
    """`count` vouchers with one file each and its text; reused between runs."""
    from vouchers.models import DocumentText, File, Voucher

    connection = connection_for(f"bench documents search {count}")
    have = DocumentText.objects.filter(file__connection=connection).count()
    rng = random.Random(7)
    batch = 2000
    for start in range(have, count, batch):
        size = min(batch, count - start)
        vouchers = Voucher.objects.bulk_create(
            Voucher(
                connection=connection,
                lexoffice_id=uuid.uuid4(),
                voucher_type="purchaseinvoice",
                voucher_status="open",
                voucher_number=f"DOC-{start + i:07d}",
                contact_name=rng.choice(WORDS),
            )
            for i in range(size)
        )
        files = File.objects.bulk_create(
            File(connection=connection, lexoffice_id=uuid.uuid4(), voucher=v) for v in vouchers
        )
        texts = []
        for i, file in enumerate(files):
            words = rng.choices(WORDS, k=80) + ([RARE] if (start + i) % 2000 == 0 else [])
            text = " ".join(words)
            texts.append(DocumentText(file=file, source="pdf", text=text, search_text=text.upper()))
        DocumentText.objects.bulk_create(texts)
    if have < count and db.vendor == "postgresql":  # fresh bulk rows: statistics as autovacuum would make them
        with db.cursor() as cursor:
            cursor.execute("ANALYZE vouchers_voucher, vouchers_file, vouchers_documenttext")
    return connection


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)


def search(count: int) -> list[Row]:
    from vouchers.models import DocumentText, Voucher, matching

    connection = search_corpus(count)
    terms = [RARE.lower(), "zitronen", "presse", "ZITRONENPRESSE", "nicht-vorhanden"]

    def ours(term: str) -> int:
        rows = Voucher.objects.filter(connection=connection).filter(matching(term)).order_by("-id")[:50]
        return len(list(rows.values_list("pk", flat=True)))

    def plain(term: str) -> int:
        scan = DocumentText.objects.filter(file__voucher=OuterRef("pk"), text__icontains=term)
        rows = Voucher.objects.filter(connection=connection).filter(Exists(scan)).order_by("-id")[:50]
        return len(list(rows.values_list("pk", flat=True)))

    assert ours(RARE.lower()) == plain(RARE.lower()) > 0, "the search and the scan disagree"
    timings: dict[str, list[float]] = {"ours": [], "plain": []}
    for _round in range(8):
        for term in terms:
            for name, query in (("ours", ours), ("plain", plain)):
                started = time.perf_counter()
                query(term)
                timings[name].append(1000 * (time.perf_counter() - started))
    ours_p95, plain_p95 = p95(timings["ours"]), p95(timings["plain"])
    common = []
    for _round in range(3):  # a word on most documents: every match is collected before the newest 50 are cut
        started = time.perf_counter()
        ours("kaffee")
        common.append(1000 * (time.perf_counter() - started))
    print(f"   search over {count} documents: p95 {ours_p95:.1f} ms, icontains scan p95 {plain_p95:.1f} ms")
    return [
        Row(f"documents: search in {count} documents' text, p95", 100.0, ours_p95, "ms"),
        # The same query with a plain icontains of the text instead of the indexed upper-cased column: how
        # many times slower it is (at least as fast is the bar; PostgreSQL's trigram index makes it many).
        Row("documents: icontains scan p95 / search p95", 1.0, plain_p95 / max(ours_p95, 0.01), "x", True),
        Row("documents: icontains scan of the same text, p95 (for the ratio)", 10_000.0, plain_p95, "ms"),
        Row(f"documents: search for a word on most of {count} documents, max", 1000.0, max(common), "ms"),
    ]


def run(quick: bool) -> list[Row]:
    rows = thumbnails(100 if quick else 1000)
    rows += search(10_000 if quick else 100_000)
    rows += worker_memory(50 if quick else 200)
    return rows
