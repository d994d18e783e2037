"""REST API for contacts: Lexoffice's own field names and nesting, plus our id, lexofficeId and connection."""

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from connections.access import WalkedList, visible_connection_ids
from connections.models import Connection
from contacts.models import Contact, matching
from contacts.sync import push_contact, update_contact
from web.api import NOT_FOUND_EXAMPLE, QUEUED_EXAMPLE, VALIDATION_EXAMPLE, errors, queued
from web.filters import BooleanFilter, FilterBackend, FilterSet, IdFilter
from web.pagination import KeysetPagination

TEXT = {"required": False, "allow_blank": True, "allow_null": True}


class ContactPersonSerializer(serializers.Serializer):
    salutation = serializers.CharField(max_length=25, **TEXT)
    firstName = serializers.CharField(max_length=255, **TEXT)
    lastName = serializers.CharField(max_length=255, **TEXT)
    primary = serializers.BooleanField(required=False)
    emailAddress = serializers.CharField(max_length=255, **TEXT)
    phoneNumber = serializers.CharField(max_length=100, **TEXT)


class CompanySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, **TEXT)
    taxNumber = serializers.CharField(max_length=50, **TEXT)
    vatRegistrationId = serializers.CharField(max_length=50, **TEXT)
    allowTaxFreeInvoices = serializers.BooleanField(required=False)
    contactPersons = ContactPersonSerializer(many=True, required=False)


class PersonSerializer(serializers.Serializer):
    salutation = serializers.CharField(max_length=25, **TEXT)
    firstName = serializers.CharField(max_length=255, **TEXT)
    lastName = serializers.CharField(max_length=255, **TEXT)


class AddressSerializer(serializers.Serializer):
    supplement = serializers.CharField(max_length=255, **TEXT)
    street = serializers.CharField(max_length=255, **TEXT)
    zip = serializers.CharField(max_length=20, **TEXT)
    city = serializers.CharField(max_length=255, **TEXT)
    countryCode = serializers.CharField(max_length=8, **TEXT, help_text="ISO 3166 alpha-2, e.g. DE.")


class AddressesSerializer(serializers.Serializer):
    billing = AddressSerializer(many=True, required=False)
    shipping = AddressSerializer(many=True, required=False)


def _values(max_length: int) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=max_length), required=False)


class EmailAddressesSerializer(serializers.Serializer):
    business, office, private, other = (_values(255) for _ in range(4))


class PhoneNumbersSerializer(serializers.Serializer):
    business, office, mobile, private, fax, other = (_values(100) for _ in range(6))


class XRechnungSerializer(serializers.Serializer):
    buyerReference = serializers.CharField(max_length=255, **TEXT, help_text="Leitweg-ID")
    vendorNumberAtCustomer = serializers.CharField(max_length=255, **TEXT)


class RolesSerializer(serializers.Serializer):
    customer = serializers.DictField(
        required=False, help_text="Present when the contact is a customer; `number` is assigned by Lexoffice."
    )
    vendor = serializers.DictField(required=False)


class ContactFieldsSerializer(serializers.Serializer):
    """The writable part of a Lexoffice contact; types are checked here, Lexoffice's rules in the service."""

    roles = RolesSerializer(required=False)
    company = CompanySerializer(required=False, allow_null=True)
    person = PersonSerializer(required=False, allow_null=True)
    addresses = AddressesSerializer(required=False)
    xRechnung = XRechnungSerializer(required=False, allow_null=True)
    emailAddresses = EmailAddressesSerializer(required=False)
    phoneNumbers = PhoneNumbersSerializer(required=False)
    note = serializers.CharField(max_length=1000, **TEXT)

    def lexoffice_data(self) -> dict:
        data = {
            key: value
            for key, value in without_nulls(self.validated_data).items()
            if key not in ("connection", "version")
        }
        if "roles" in data:  # numbers are Lexoffice's; a round-tripped one is passed back as it was
            data["roles"] = {
                role: ({"number": value["number"]} if isinstance(value.get("number"), int) else {})
                for role, value in data["roles"].items()
            }
        return data


def without_nulls(value: object) -> object:
    if isinstance(value, dict):
        return {key: without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [without_nulls(item) for item in value]
    return value


class ContactCreateSerializer(ContactFieldsSerializer):
    connection = serializers.PrimaryKeyRelatedField(
        queryset=Connection.objects.none(), help_text="Our id of the connection to create it in."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["connection"].queryset = Connection.objects.filter(pk__in=visible_connection_ids(request))


class ContactUpdateSerializer(ContactFieldsSerializer):
    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The version you edited (from the contact you read)."
    )


class ContactSerializer(ContactFieldsSerializer):
    """A contact as Lexoffice returns it (verbatim from the mirror), plus our id and connection."""

    id = serializers.IntegerField(help_text="Our id.")
    lexofficeId = serializers.UUIDField()
    connection = serializers.IntegerField()
    organizationId = serializers.UUIDField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, allow_null=True)
    archived = serializers.BooleanField(required=False)

    def to_representation(self, contact: Contact | dict) -> dict:
        row = (
            contact
            if isinstance(contact, dict)
            else {  # a list row (LIST_ROWS), or an instance
                "raw": contact.raw,
                "id": contact.pk,
                "lexoffice_id": contact.lexoffice_id,
                "connection_id": contact.connection_id,
            }
        )
        return {
            **row["raw"],
            "id": row["id"],
            "lexofficeId": str(row["lexoffice_id"]),
            "connection": row["connection_id"],
        }


# List pages as plain rows (no model instances), set up once and cloned by each request's filters.
LIST_ROWS = Contact.objects.present().values("id", "connection_id", "lexoffice_id", "name", "remote_updated_at", "raw")


class ContactFilter(FilterSet):
    search = django_filters.CharFilter(
        method="find", max_length=255, help_text="Part of the name or an email address, or a customer/vendor number."
    )
    role = django_filters.ChoiceFilter(method="by_role", choices=[("customer", "customer"), ("vendor", "vendor")])
    archived = BooleanFilter(field_name="archived")
    connection = IdFilter(field_name="connection_id")

    class Meta:
        model = Contact
        fields: list[str] = []

    def find(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(matching(value))

    def by_role(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(is_customer=True) if value == "customer" else queryset.filter(is_vendor=True)


NEW_CONTACT = {
    "connection": 1,
    "roles": {"customer": {}},
    "company": {
        "name": "Nordlicht Werkstatt GmbH",
        "contactPersons": [
            {
                "salutation": "Herr",
                "firstName": "Jonas",
                "lastName": "Kraft",
                "primary": True,
                "emailAddress": "jonas@nordlicht.example",
            }
        ],
    },
    "addresses": {"billing": [{"street": "Hafenweg 3", "zip": "20457", "city": "Hamburg", "countryCode": "DE"}]},
    "emailAddresses": {"business": ["info@nordlicht.example"]},
    "note": "Created through Lexhub",
}
CONFLICT = OpenApiResponse(
    inline_serializer(
        "EditConflict",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "fieldErrors": serializers.DictField(),
            "mine": serializers.DictField(help_text="What you sent."),
            "theirs": serializers.DictField(help_text="The current copy in Lexoffice."),
            "fields": serializers.ListField(child=serializers.CharField(), help_text="Fields both sides changed."),
        },
    ),
    description="Someone changed the same fields in Lexoffice meanwhile; nothing was overwritten. Changes in "
    "other fields are merged automatically and answer 200.",
    examples=[
        OpenApiExample(
            "Conflict",
            status_codes=["409"],
            value={
                "code": "conflict",
                "message": "This record was changed in Lexoffice while you were editing it: note.",
                "fieldErrors": {},
                "mine": {"note": "mine", "version": 3},
                "theirs": {"note": "theirs", "version": 4},
                "fields": ["note"],
            },
        )
    ],
)


@extend_schema_view(
    list=extend_schema(summary="List contacts", responses={200: ContactSerializer(many=True), **errors(400)}),
    retrieve=extend_schema(
        summary="One contact", responses={200: ContactSerializer, **errors(404)}, examples=[NOT_FOUND_EXAMPLE]
    ),
    create=extend_schema(
        summary="Create a contact in Lexoffice",
        request=ContactCreateSerializer,
        examples=[OpenApiExample("Company", request_only=True, value=NEW_CONTACT), VALIDATION_EXAMPLE, QUEUED_EXAMPLE],
        responses={201: ContactSerializer, **queued(), **errors(400, 403, 409, 502)},
    ),
    update=extend_schema(
        summary="Update a contact (optimistic locking with `version`)",
        request=ContactUpdateSerializer,
        examples=[
            OpenApiExample(
                "Edit",
                request_only=True,
                value={**{k: v for k, v in NEW_CONTACT.items() if k != "connection"}, "version": 2},
            )
        ],
        responses={200: ContactSerializer, 409: CONFLICT, **queued(), **errors(400, 403, 404, 502)},
    ),
)
class ContactViewSet(
    WalkedList,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Contacts of your connections, read from the mirror; writes go to Lexoffice first."""

    list_rows = LIST_ROWS

    serializer_class = ContactSerializer
    pagination_class = KeysetPagination
    filter_backends = [FilterBackend]
    filterset_class = ContactFilter
    ordering_fields = {"name": "name", "updatedDate": "remote_updated_at"}
    default_ordering = "name"
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self) -> QuerySet:
        mine = visible_connection_ids(self.request)
        if self.action == "list":
            return self.walk_rows(mine)
        return Contact.objects.filter(connection_id__in=mine).present()

    def ids_first(self) -> bool:
        """A search walks the name order in contact_conn_name_search alone, comparing its upper-cased
        search_text, and only the page's rows are read: a common name no longer reads thousands of rows."""
        return self.action == "list" and "search" in self.request.query_params

    def rows_by_id(self, ids: list[int]) -> QuerySet:
        # The ids come from get_queryset: already scoped, matched and present when they were read; a
        # contact the sync marks deleted in between is still shown on this page, like any row read a
        # moment earlier.
        return Contact.objects.filter(pk__in=ids).values(*LIST_ROWS.query.values_select)

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ContactCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact = push_contact(
            connection=serializer.validated_data["connection"], data=serializer.lexoffice_data(), user=request.user
        )
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: object, **kwargs: object) -> Response:
        contact = self.get_object()
        serializer = ContactUpdateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact = update_contact(
            contact=contact,
            data=serializer.lexoffice_data(),
            version=serializer.validated_data["version"],
            user=request.user,
        )
        return Response(ContactSerializer(contact).data)
