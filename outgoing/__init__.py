"""Outgoing webhooks: Lexhub tells other tools what changed, signed per Standard Webhooks.

Named `outgoing` to keep it apart from `webhooks/`, which holds the events Lexhub RECEIVES from
Lexoffice: the two share a word, not a direction, a trust model or a failure mode. It sits at the same
height as `webhooks` in the layers (above contacts, vouchers and invoices, whose API renderings it sends).

The path of a change:
- `connections/mirror.py` writes a mirrored row and, in the same transaction, calls the change feed
  (`connections/changes.py`); `events.record_change` (registered in `apps.py`) stores an `Event` per row
  (its primary key is the sequence) with the record rendered as the REST API renders it, and a `Delivery`
  per endpoint that wants its type. Nothing is announced that was not stored, nothing stored is lost.
- On commit `tasks.deliver_endpoint_task` drains each touched endpoint (`delivery.py`): one worker per
  endpoint at a time (a lease), deliveries in sequence order, each signed (`signing.py`) and sent over a
  connection pinned to the address just checked (`transport.py`, `addresses.py`); every attempt is a row.
  Failures back off exponentially (capped) for about a day; an endpoint failing for days is disabled
  with a visible notice. Beat's `sweep_deliveries_task` picks up what a lost message or a dead worker left.
- Endpoints, their delivery log and replay: `views.py` (pages) and `api.py` (REST), on `services.py`.
"""
