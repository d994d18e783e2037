"""The German catalogue is complete and compiled: every string the templates and the product's Python mark for
translation has a German translation, none is fuzzy, and the committed django.mo says what django.po says."""

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation.template import templatize

from tests.conftest import require

PO = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
PACKAGES = ("connections", "contacts", "invoices", "lexhub", "lexoffice", "vouchers", "web", "webhooks")
# The keywords Django's makemessages gives xgettext.
KEYWORDS = [
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


def _key(entry: polib.POEntry | polib.MOEntry) -> tuple[str | None, str]:
    return entry.msgctxt, entry.msgid


def _translations(catalogue: polib.POFile | polib.MOFile) -> dict[tuple[str | None, str], object]:
    return {
        _key(e): (tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr)
        for e in catalogue
        if e.msgid and not e.obsolete
    }


def _marked_strings(tmp_path: Path) -> set[tuple[str | None, str]]:
    """What makemessages would extract: templates through Django's templatize, Python as it is."""
    sources = []
    for number, template in enumerate(sorted((settings.BASE_DIR / "templates").rglob("*.html"))):
        converted = tmp_path / f"template_{number}.py"
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), encoding="utf-8")
        sources.append(converted)
    for package in PACKAGES:
        sources += [p for p in (settings.BASE_DIR / package).rglob("*.py") if "migrations" not in p.parts]
    pot = tmp_path / "all.pot"
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--add-comments=Translators", *KEYWORDS,
         "--output", str(pot), *map(str, sources)],
        check=True,
    )  # fmt: skip
    return {_key(e) for e in polib.pofile(str(pot)) if e.msgid}


def test_every_entry_has_a_german_translation() -> None:
    untranslated = [e.msgid for e in polib.pofile(str(PO)) if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in polib.pofile(str(PO)) if not e.obsolete and "fuzzy" in e.flags]
    assert not untranslated, f"no German translation: {untranslated}"
    assert not fuzzy, f"fuzzy (check and remove the flag): {fuzzy}"


def test_the_compiled_catalogue_matches_its_source() -> None:
    assert _translations(polib.mofile(str(MO))) == _translations(polib.pofile(str(PO))), (
        "django.mo is stale: run manage.py compilemessages -l de and commit it"
    )


def test_every_marked_string_is_in_the_catalogue(tmp_path: Path) -> None:
    require(shutil.which("xgettext") is not None, "gettext's xgettext (apt-get install gettext)")
    catalogue = set(_translations(polib.pofile(str(PO))))
    missing = sorted(_marked_strings(tmp_path) - catalogue, key=str)
    assert not missing, (
        f"marked for translation but not in django.po (run makemessages, see locale/README.md): {missing}"
    )


@pytest.mark.parametrize(("language", "expected"), [("de", "Belege"), ("en", "Vouchers")])
def test_django_loads_the_catalogue(language: str, expected: str) -> None:
    with translation.override(language):
        assert translation.gettext("Vouchers") == expected
