"""What OPTIONS answers on the REST API (DEFAULT_METADATA_CLASS)."""

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class MethodsMetadata(SimpleMetadata):
    """OPTIONS answers the name, description, media types and allowed methods, without the form of each
    write: DRF builds that with get_object(), which a list action taking PUT has no id for (a 500), and
    the OpenAPI schema (/api/schema/) already describes every body."""

    def determine_metadata(self, request: Request, view: Any) -> dict:
        metadata = super().determine_metadata(request, view)
        metadata.pop("actions", None)
        metadata["methods"] = sorted(view.allowed_methods)
        return metadata

    def determine_actions(self, request: Request, view: Any) -> dict:
        return {}
