"""API tokens (knox) their owners list, create and revoke: a page under /accounts/tokens/ and
/api/v1/tokens/. Only the caller's own tokens; a token is named by its key (its first characters),
never by its digest. A new token is shown once: only its hash is stored.

New tokens expire after LEXHUB_API_TOKEN_TTL seconds when that is set (knox's TOKEN_TTL), and a token
made with a token never outlives the token that made it, so a leaked token cannot renew itself.

A token may be read-only (lexhub.models.TokenScope): the REST API then answers only safe methods
(ReadOnlyTokenPermission) and the MCP server offers it only its read tools. Tokens without a scope row,
all those made before scopes existed, keep full power.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from knox.models import AuthToken
from knox.settings import knox_settings
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from lexhub.models import TokenScope
from lexhub.token_scope import is_read_only
from web.api import errors


def issue_token(user: object, *, made_with: AuthToken | None = None, read_only: bool = False) -> tuple[AuthToken, str]:
    """A new token for `user` and its text. `made_with`: the token that asked for it, if any; a token made
    with a read-only token is read-only too."""
    token, text = AuthToken.objects.create(user=user)  # knox applies TOKEN_TTL
    limit = made_with.expiry if made_with is not None else None
    if limit is not None and (token.expiry is None or token.expiry > limit):
        token.expiry = limit
        token.save(update_fields=["expiry"])
    TokenScope.objects.create(token=token, read_only=read_only or (made_with is not None and is_read_only(made_with)))
    return token, text


def live_tokens(user: object) -> QuerySet:
    """The user's tokens that still work (expired ones are refused, and deleted when next presented)."""
    return (
        AuthToken.objects.filter(user=user)
        .select_related("scope")
        .filter(Q(expiry=None) | Q(expiry__gt=timezone.now()))
        .order_by("created", "token_key")
    )


def revoke(user: object, token_key: str) -> int:
    """Delete the user's token(s) under `token_key`; how many. Another user's key deletes nothing."""
    deleted, _by_model = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


# --- REST API ----------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.Serializer):
    tokenKey = serializers.CharField(
        source="token_key", read_only=True, help_text="The token's first characters; names it in DELETE."
    )
    created = serializers.DateTimeField(read_only=True)
    expiry = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it stops working; null: when revoked."
    )
    current = serializers.SerializerMethodField(help_text="Whether this request was made with this token.")
    readOnly = serializers.SerializerMethodField(help_text="Whether the token may only read.")

    def get_current(self, token: AuthToken) -> bool:
        caller = getattr(self.context.get("request"), "auth", None)
        return isinstance(caller, AuthToken) and caller.digest == token.digest

    def get_readOnly(self, token: AuthToken) -> bool:
        scope = getattr(token, "scope", None)  # none: a token from before scopes, full power
        return bool(scope and scope.read_only)


class NewApiTokenRequestSerializer(serializers.Serializer):
    readOnly = serializers.BooleanField(required=False, default=False, help_text="Whether the token may only read.")


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.SerializerMethodField(
        help_text="The whole token, for `Authorization: Token <token>`. Shown this once; only its hash is stored."
    )

    def get_token(self, token: AuthToken) -> str:
        return self.context["text"]


TOKEN_KEY = OpenApiParameter("tokenKey", str, OpenApiParameter.PATH, description="The token's `tokenKey`.")


@extend_schema_view(
    list=extend_schema(
        summary="List your API tokens (never the tokens themselves)",
        responses={200: ApiTokenSerializer(many=True), **errors()},
    ),
    create=extend_schema(
        summary="Create an API token; it is returned this once",
        request=NewApiTokenRequestSerializer,
        responses={201: NewApiTokenSerializer, **errors(400)},
    ),
    destroy=extend_schema(
        summary="Revoke one of your API tokens", parameters=[TOKEN_KEY], responses={204: None, **errors(404)}
    ),
)
class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Your own API tokens: list, create, revoke."""

    serializer_class = ApiTokenSerializer
    lookup_field = "token_key"
    lookup_url_kwarg = "tokenKey"

    def get_queryset(self) -> QuerySet:
        return live_tokens(self.request.user)

    def create(self, request: Request) -> Response:
        caller = request.auth if isinstance(request.auth, AuthToken) else None
        asked = NewApiTokenRequestSerializer(data=request.data if request.data else {})
        asked.is_valid(raise_exception=True)
        read_only = asked.validated_data["readOnly"]
        token, text = issue_token(request.user, made_with=caller, read_only=read_only)
        body = NewApiTokenSerializer(token, context={"request": request, "text": text}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: object, **kwargs: str) -> Response:
        if not revoke(request.user, kwargs[self.lookup_url_kwarg]):
            raise NotFound(_("You have no token with this key."))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- page --------------------------------------------------------------------------------------


@login_required
@never_cache  # the page that shows a new token must not be stored by a browser or proxy
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: your tokens; POST: create one and show it, this once."""
    new_token = None
    if request.method == "POST":  # a POST without a scope (scripts from before scopes) makes a read-write token
        _token, new_token = issue_token(request.user, read_only=request.POST.get("scope") == "read")
    return render(
        request,
        "tokens/list.html",
        {
            "tokens": live_tokens(request.user),
            "new_token": new_token,
            # When a token created now would expire, for the page to say so.
            "ttl_end": timezone.now() + knox_settings.TOKEN_TTL if knox_settings.TOKEN_TTL else None,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_key: str) -> HttpResponse:
    if not revoke(request.user, token_key):
        raise Http404(_("You have no token with this key."))
    messages.success(request, _("The token was revoked; it no longer works."))
    return redirect("api-tokens")


urlpatterns = [
    path("", token_list, name="api-tokens"),
    path("<str:token_key>/revoke/", token_revoke, name="api-token-revoke"),
]
