"""REST API of intake: the log (/api/v1/intake/items/) and the mailbox of a connection
(/api/v1/intake/mailboxes/, owners change it; the password is write-only)."""

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.routers import DefaultRouter

from connections.access import visible_connection_ids
from connections.models import Connection
from intake.folder import resolve
from intake.hosts import clean_host
from intake.models import IntakeItem, Mailbox, WatchedFolder
from web.api import errors
from web.filters import FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination


class IntakeItemSerializer(serializers.ModelSerializer):
    voucher = serializers.SerializerMethodField()

    class Meta:
        model = IntakeItem
        fields = [
            "id",
            "connection",
            "source",
            "part_index",
            "filename",
            "content_type",
            "size",
            "sha256",
            "sender",
            "subject",
            "sent_at",
            "message_id",
            "state",
            "reason",
            "upload",
            "voucher",
            "created_at",
            "updated_at",
        ]

    def get_voucher(self, item: IntakeItem) -> int | None:
        voucher = item.voucher
        return voucher.pk if voucher else None


class IntakeItemFilter(FilterSet):
    connection = IdFilter(field_name="connection_id")
    state = django_filters.ChoiceFilter(choices=IntakeItem.State.choices)
    source = django_filters.ChoiceFilter(choices=IntakeItem.Source.choices)

    class Meta:
        model = IntakeItem
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="The intake log", responses={200: IntakeItemSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(summary="One intake item", responses={200: IntakeItemSerializer, **errors(404)}),
)
class IntakeItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Every mail part and file that came in by mail or watched folder, with what became of it."""

    serializer_class = IntakeItemSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = IntakeItemFilter
    ordering_fields = {"id": "id"}
    default_ordering = "-id"

    def get_queryset(self) -> QuerySet[IntakeItem]:
        return IntakeItem.objects.filter(connection_id__in=visible_connection_ids(self.request)).select_related(
            "upload__voucher", "duplicate_of"
        )


class OwnConnectionField(serializers.PrimaryKeyRelatedField):
    """A connection the caller sees; another's id is "does not exist" (400), never told apart from a
    missing one. Whether the caller may change its doors is the owner check in validate_connection."""

    def get_queryset(self) -> QuerySet[Connection]:
        return Connection.objects.filter(pk__in=visible_connection_ids(self.context["request"]))


class MailboxSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    connection = OwnConnectionField()

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "connection",
            "enabled",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "processed_folder",
            "failed_folder",
            "allowed_senders",
            "state",
            "state_detail",
            "failures",
            "last_polled_at",
            "last_success_at",
            "next_poll_at",
        ]
        read_only_fields = ["state", "state_detail", "failures", "last_polled_at", "last_success_at", "next_poll_at"]

    def validate_connection(self, connection: Connection) -> Connection:
        if connection.owner_id != self.context["request"].user.pk:
            raise PermissionDenied("Only the connection's owner changes its mailbox.")
        return connection

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["This field is required."]})
        if "host" in attrs or "port" in attrs:  # checked where it resolves, as the page's form does
            host = attrs.get("host", getattr(self.instance, "host", ""))
            port = attrs.get("port") or getattr(self.instance, "port", None) or Mailbox._meta.get_field("port").default
            try:
                attrs["host"] = clean_host(host, port)
            except DjangoValidationError as refused:
                raise serializers.ValidationError({"host": refused.messages}) from None
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Mailbox:
        password = validated_data.pop("password")
        mailbox = Mailbox(**validated_data)
        mailbox.set_password(password)
        mailbox.save()
        return mailbox

    def update(self, instance: Mailbox, validated_data: dict[str, Any]) -> Mailbox:
        password = validated_data.pop("password", None)
        validated_data.pop("connection", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if password:
            instance.set_password(password)
        instance.next_poll_at, instance.failures = None, 0
        instance.save()
        return instance


class WatchedFolderSerializer(serializers.ModelSerializer):
    connection = OwnConnectionField()

    class Meta:
        model = WatchedFolder
        fields = ["id", "connection", "enabled", "path", "state", "state_detail", "failures", "last_polled_at"]
        read_only_fields = ["state", "state_detail", "failures", "last_polled_at"]

    def validate_connection(self, connection: Connection) -> Connection:
        if connection.owner_id != self.context["request"].user.pk:
            raise PermissionDenied("Only the connection's owner changes its watched folder.")
        return connection

    def validate_path(self, path: str) -> str:
        try:
            resolve(path)
        except Exception as exc:
            raise serializers.ValidationError(str(getattr(exc, "messages", [exc])[0])) from None
        return path.strip()


class DoorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    pagination_class = KeysetPagination
    ordering_fields = {"id": "id"}
    default_ordering = "id"
    model: type[Mailbox] | type[WatchedFolder]

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.filter(connection_id__in=visible_connection_ids(self.request))

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        self._owner_only(serializer.instance)
        serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        self._owner_only(instance)
        instance.delete()

    def _owner_only(self, door: Any) -> None:
        if door.connection.owner_id != self.request.user.pk:
            raise PermissionDenied("Only the connection's owner changes it.")


def door_schema(what: str, serializer: type[serializers.BaseSerializer[Any]]) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"List {what}s", responses={200: serializer(many=True), **errors(400)}),
        retrieve=extend_schema(summary=f"One {what}", responses={200: serializer, **errors(404)}),
        create=extend_schema(summary=f"Set up a {what}", responses={201: serializer, **errors(400, 403)}),
        update=extend_schema(summary=f"Change a {what}", responses={200: serializer, **errors(400, 403, 404)}),
        partial_update=extend_schema(
            summary=f"Change some fields of a {what}", responses={200: serializer, **errors(400, 403, 404)}
        ),
        destroy=extend_schema(summary=f"Remove a {what}", responses={204: None, **errors(403, 404)}),
    )


@door_schema("mailbox", MailboxSerializer)
class MailboxViewSet(DoorViewSet):
    """A connection's IMAP mailbox (one per connection); the password is write-only."""

    serializer_class = MailboxSerializer
    model = Mailbox


@door_schema("watched folder", WatchedFolderSerializer)
class WatchedFolderViewSet(DoorViewSet):
    """A connection's watched folder, inside the server's intake root."""

    serializer_class = WatchedFolderSerializer
    model = WatchedFolder


router = DefaultRouter()
router.include_root_view = False
router.register("items", IntakeItemViewSet, basename="intakeitem")
router.register("mailboxes", MailboxViewSet, basename="intakemailbox")
router.register("folders", WatchedFolderViewSet, basename="intakefolder")
