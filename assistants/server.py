"""Lexhub's MCP server: tools over the mirror for AI assistants, built with the official SDK (MCPServer).

Every tool call authenticates its API token (assistants.principal), sees only the token's user's
connections, is refused when it writes with a read-only token, and leaves an audit row (the tool's name,
the user, the token's key, a hash of the arguments; never the token). Read tools answer from the mirror
with no Lexoffice request; write tools take the write path of the REST API (assistants.writing).
Tools are plain synchronous functions: the SDK runs them in a worker thread, where Django's ORM may run.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any

from django.db import connection as database
from django.db import transaction
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from assistants import overview, reading, writing
from assistants.principal import Principal, Refused, principal_of_call
from connections.writes import audit

INSTRUCTIONS = (
    "Lexhub holds a local mirror of Lexoffice (Lexware Office) bookkeeping accounts. Read tools answer "
    "from the mirror at once and cost no Lexoffice requests. Amounts are decimal strings in the record's "
    "currency, dates ISO days. Lists return at most `limit` rows and a `nextCursor` to pass back for more. "
    "Write tools change Lexoffice itself; each says what it changes."
)

Answer = Annotated[CallToolResult, dict[str, Any]]  # built here; its structured content is a JSON object
WRITE_TOOLS = ("create_contact", "update_contact", "create_voucher", "upload_receipt")

Limit = Annotated[int | None, Field(description="Rows per page, 1-50 (default 20).")]
Cursor = Annotated[str | None, Field(description="nextCursor of the previous page.")]
Text = Annotated[str | None, Field(description="Part of a name, e-mail address, number (any case).")]
DateFrom = Annotated[str | None, Field(description="First day, YYYY-MM-DD.")]
DateTo = Annotated[str | None, Field(description="Last day, YYYY-MM-DD (inclusive).")]
Status = Annotated[str | None, Field(description="Lexoffice status: open, overdue, paid, paidoff, draft, voided...")]
MinOpen = Annotated[str | None, Field(description="Only those with at least this open amount, e.g. 100.00.")]
ContactId = Annotated[int | None, Field(description="Only this contact's (id from search_contacts).")]
ConnectionId = Annotated[int | None, Field(description="Connection id; may be left out when you have one.")]


class Failure(Exception):
    """A tool call that could not be answered; its text (a sentence, or JSON for a refused write) is shown."""


def run(
    ctx: Context, tool: str, arguments: dict[str, Any], answer: Callable[[Principal], dict[str, Any]]
) -> dict[str, Any]:
    """Authenticate, answer, audit; refusals and bad arguments become a Failure with a message to show."""
    user, token_key = None, ""
    try:
        principal = principal_of_call(ctx.request_context.request, ctx.headers)
        user, token_key = principal.user, principal.token.token_key
        result = answer(principal)
    except Refused as refused:
        record(tool, arguments, user=user, token_key=token_key, status=403, result="refused", message=str(refused))
        raise Failure(str(refused)) from None
    except reading.BadArgument as bad:
        record(tool, arguments, user=user, token_key=token_key, status=400, result="invalid", message=str(bad))
        raise Failure(str(bad)) from None
    except writing.Rejected as rejected:
        record(tool, arguments, user=user, token_key=token_key, status=400, result="rejected", message=str(rejected))
        raise Failure(json.dumps(rejected.answer, default=str)) from None
    record(tool, arguments, user=user, token_key=token_key, status=200, result="ok", message="")
    return result


def call(
    ctx: Context, tool: str, arguments: dict[str, Any], answer: Callable[[Principal], dict[str, Any]]
) -> CallToolResult:
    """A tool's result: its answer as structured content and as compact JSON text, or an error result whose
    text is the Failure's (not wrapped in the SDK's "Error executing tool" sentence, so JSON stays JSON)."""
    try:
        result = run(ctx, tool, arguments, answer)
    except Failure as failure:
        return CallToolResult(content=[TextContent(type="text", text=str(failure))], is_error=True)
    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"), default=str)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=result)


def record(
    tool: str, arguments: dict[str, Any], *, user: Any, token_key: str, status: int, result: str, message: str
) -> None:
    by = f"token {token_key}" if token_key else "no valid token"
    with transaction.atomic():
        if tool not in WRITE_TOOLS and database.vendor == "postgresql":
            # A read's audit row need not wait for the disk: at a crash the last milliseconds of read rows may
            # be lost, never a write's (the outbox audits those, with synchronous commit). Halves a read's cost.
            with database.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        write_audit(tool, arguments, user=user, by=by, status=status, result=result, message=message)


def write_audit(
    tool: str, arguments: dict[str, Any], *, user: Any, by: str, status: int, result: str, message: str
) -> None:
    audit(
        connection=None,
        user=user,
        action=f"mcp:{tool}",
        method="MCP",
        path=tool,
        payload=arguments,
        status=status,
        result=result,
        message=f"{by}; {message}" if message else by,
    )


def build_server() -> MCPServer:
    server = MCPServer("lexhub", instructions=INSTRUCTIONS, version="1")
    register_read_tools(server)
    register_write_tools(server)
    register_resources(server)
    register_prompts(server)
    return server


def record_id(text: str) -> int:
    if not text.isdigit():
        raise reading.BadArgument("The id in the address must be a number.")
    return int(text)


def register_resources(server: MCPServer) -> None:
    """Records as resources (the same answers as get_voucher and get_contact), for clients that attach them."""

    @server.resource("lexhub://vouchers/{voucher_id}", mime_type="application/json")
    def voucher(voucher_id: str, ctx: Context) -> str:
        """A voucher or invoice with its lines and files' names."""
        try:
            found = run(ctx, "resource:voucher", {"voucher_id": voucher_id},
                        lambda p: reading.get_voucher(p, voucher_id=record_id(voucher_id)))  # fmt: skip
        except Failure as refused:
            raise ResourceError(str(refused)) from None
        return json.dumps(found)

    @server.resource("lexhub://contacts/{contact_id}", mime_type="application/json")
    def contact(contact_id: str, ctx: Context) -> str:
        """A contact with its addresses and open items."""
        try:
            found = run(ctx, "resource:contact", {"contact_id": contact_id},
                        lambda p: reading.get_contact(p, contact_id=record_id(contact_id)))  # fmt: skip
        except Failure as refused:
            raise ResourceError(str(refused)) from None
        return json.dumps(found)


def register_read_tools(server: MCPServer) -> None:
    @server.tool()
    def search_contacts(
        ctx: Context,
        text: Text = None,
        role: Annotated[str | None, Field(description="customer or vendor")] = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> Answer:
        """Search the contacts of your Lexoffice connections by name, e-mail or customer/vendor number."""
        arguments: dict[str, Any] = {"text": text, "role": role, "cursor": cursor, "limit": limit}
        return call(ctx, "search_contacts", arguments, lambda p: reading.search_contacts(p, **arguments))

    @server.tool()
    def get_contact(ctx: Context, contact_id: int) -> Answer:
        """One contact with addresses, note, its version (needed to change it) and its open items."""
        return call(
            ctx, "get_contact", {"contact_id": contact_id}, lambda p: reading.get_contact(p, contact_id=contact_id)
        )

    @server.tool()
    def search_vouchers(
        ctx: Context,
        text: Text = None,
        type: Annotated[
            str | None,
            Field(
                description="purchaseinvoice, purchasecreditnote, salesinvoice, salescreditnote, "
                "invoice, creditnote, quotation, orderconfirmation, deliverynote, dunning, ..."
            ),
        ] = None,
        status: Status = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        contact_id: ContactId = None,
        min_open_amount: MinOpen = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> Answer:
        """Search all vouchers (bookkeeping vouchers and sales documents), newest first."""
        arguments: dict[str, Any] = dict(
            text=text, voucher_type=type, status=status, date_from=date_from, date_to=date_to,
            contact_id=contact_id, min_open_amount=min_open_amount, cursor=cursor, limit=limit,
        )  # fmt: skip
        return call(ctx, "search_vouchers", arguments, lambda p: reading.search_vouchers(p, **arguments))

    @server.tool()
    def search_invoices(
        ctx: Context,
        text: Text = None,
        type: Annotated[
            str | None, Field(description="invoice, downpaymentinvoice, creditnote, salesinvoice, salescreditnote")
        ] = None,
        status: Status = None,
        date_from: DateFrom = None,
        date_to: DateTo = None,
        contact_id: ContactId = None,
        min_open_amount: MinOpen = None,
        cursor: Cursor = None,
        limit: Limit = None,
    ) -> Answer:
        """Search outgoing invoices and credit notes (written in Lexoffice or booked), newest first."""
        arguments: dict[str, Any] = dict(
            text=text, voucher_type=type, status=status, date_from=date_from, date_to=date_to,
            contact_id=contact_id, min_open_amount=min_open_amount, cursor=cursor, limit=limit,
        )  # fmt: skip
        return call(
            ctx, "search_invoices", arguments,
            lambda p: reading.search_vouchers(p, kinds=reading.INVOICE_TYPES, **arguments),
        )  # fmt: skip

    @server.tool()
    def get_voucher(ctx: Context, voucher_id: int) -> Answer:
        """One voucher or invoice with its lines, its files' names and its version."""
        return call(
            ctx, "get_voucher", {"voucher_id": voucher_id}, lambda p: reading.get_voucher(p, voucher_id=voucher_id)
        )

    @server.tool()
    def open_items(ctx: Context) -> Answer:
        """Open receivables and payables per connection: sums, counts, overdue ones, receivables by days overdue."""
        return call(ctx, "open_items", {}, overview.open_items)

    @server.tool()
    def connection_state(ctx: Context) -> Answer:
        """Your connections: status, last sync, pending writes and webhook events (how current the mirror is)."""
        return call(ctx, "connection_state", {}, overview.connection_state)


def register_write_tools(server: MCPServer) -> None:
    @server.tool()
    def create_contact(
        ctx: Context,
        data: Annotated[dict[str, Any], Field(description="Lexoffice's contact JSON: roles, company or person, ...")],
        connection: ConnectionId = None,
    ) -> Answer:
        """Creates a contact in Lexoffice (needs a read-write token)."""
        arguments: dict[str, Any] = {"data": data, "connection": connection}
        return call(ctx, "create_contact", arguments, lambda p: writing.create_contact(p, **arguments))

    @server.tool()
    def update_contact(
        ctx: Context,
        contact_id: int,
        version: Annotated[int, Field(description="The version get_contact returned.")],
        changes: Annotated[dict[str, Any], Field(description="Top-level Lexoffice fields to replace, e.g. note.")],
    ) -> Answer:
        """Changes a contact in Lexoffice (needs a read-write token); conflicting changes are reported, not
        overwritten."""
        arguments: dict[str, Any] = {"contact_id": contact_id, "version": version, "changes": changes}
        return call(ctx, "update_contact", arguments, lambda p: writing.change_contact(p, **arguments))

    @server.tool()
    def create_voucher(
        ctx: Context,
        data: Annotated[dict[str, Any], Field(description="Lexoffice's voucher JSON (type, voucherDate, items...)")],
        connection: ConnectionId = None,
    ) -> Answer:
        """Creates a bookkeeping voucher in Lexoffice, unpaid (needs a read-write token)."""
        arguments: dict[str, Any] = {"data": data, "connection": connection}
        return call(ctx, "create_voucher", arguments, lambda p: writing.create_voucher(p, **arguments))

    @server.tool()
    def upload_receipt(
        ctx: Context,
        filename: str,
        content_base64: Annotated[str, Field(description="The file (PDF, PNG or JPEG, at most 5 MiB), base64.")],
        connection: ConnectionId = None,
        force: Annotated[bool, Field(description="Upload even if the same file was uploaded before.")] = False,
    ) -> Answer:
        """Uploads a receipt to Lexoffice for bookkeeping; Lexoffice makes a voucher of it (needs a read-write
        token). A file uploaded before is refused unless force is set."""
        arguments: dict[str, Any] = {"filename": filename, "connection": connection, "force": force}
        return call(
            ctx, "upload_receipt", {**arguments, "content_base64": content_base64},
            lambda p: writing.send_receipt(p, content_base64=content_base64, **arguments),
        )  # fmt: skip


def register_prompts(server: MCPServer) -> None:
    @server.prompt()
    def what_is_overdue() -> str:
        """Which invoices are overdue, oldest first, and whom to remind."""
        return (
            "Call open_items for the totals, then search_invoices with status overdue (page through nextCursor). "
            "List the overdue invoices oldest due date first with contact, number, open amount and days overdue, "
            "and suggest whom to remind first."
        )

    @server.prompt()
    def monthly_close_checklist(month: str) -> str:
        """A checklist for closing a month (YYYY-MM) of bookkeeping."""
        return (
            f"For the month {month}: call connection_state and check the last sync succeeded and no writes "
            "are pending; search_vouchers for the month with status unchecked and draft; list open payables and "
            "receivables with open_items; report what is missing before the month can be closed."
        )
