"""Small browser helpers shared by the e2e tests and the README screenshots."""

import base64

from playwright.sync_api import Page

DROP_FILES = """([zone, items]) => {
  const transfer = new DataTransfer();
  for (const item of items) {
    const bytes = Uint8Array.from(atob(item.data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], item.name, {type: item.type}));
  }
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
  }
}"""


def drop_files(page: Page, selector: str, items: list[tuple[str, str, bytes]]) -> None:
    """Drop real files on an element as a drag from the desktop would: a DataTransfer holding File objects."""
    payload = [{"name": name, "type": mime, "data": base64.b64encode(data).decode()} for name, mime, data in items]
    # The zone can be visible before its deferred script has run; by DOMContentLoaded the listeners are there.
    page.wait_for_load_state("domcontentloaded")
    page.evaluate(DROP_FILES, [page.locator(selector).element_handle(), payload])
