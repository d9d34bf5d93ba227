"""A local iCIMS: the same REST API over a fixture file, for demos, development and tests.

    sandbox = Sandbox(Path("demo/icims-fixture.json"), SandboxOptions(client_id=..., client_secret=...))
    with serve_in_thread(sandbox) as running:        # a free port on 127.0.0.1
        client = ICIMSClient(connection, base_url=running.base_url, secret=...)

Implements: ``POST /oauth/token``; Basic auth; profile GET (``fields=``, empty and hidden fields omitted,
``links``) and PATCH (204, required-field errors); workflow status changes with WorkFlowStatusChangeEvent
notifications; search (filters, operators, groups, 1,000 cap, ascending ids); file fields; collection rows;
``x-ratelimit-*`` and ``x-transaction`` headers with a daily quota; fault injection; a write log; and the
``/_sandbox/…`` admin endpoints. Error codes iCIMS does not document are the sandbox's own: 5 invalid
request or value, 7 quota exhausted or throttled.
"""

from __future__ import annotations

from icims.sandbox.core import RequestRecord, Sandbox, WriteRecord
from icims.sandbox.emitter import Delivery, StatusChange, event_payload, link_header
from icims.sandbox.options import EventTarget, Faults, SandboxOptions
from icims.sandbox.server import RunningSandbox, ServerThread, serve_forever, serve_in_thread
from icims.sandbox.store import FixtureError
from icims.sandbox.synthetic import SyntheticCandidates, add_offer_ready_candidates

__all__ = [
    "Delivery",
    "EventTarget",
    "Faults",
    "FixtureError",
    "RequestRecord",
    "RunningSandbox",
    "Sandbox",
    "SandboxOptions",
    "ServerThread",
    "StatusChange",
    "SyntheticCandidates",
    "WriteRecord",
    "add_offer_ready_candidates",
    "event_payload",
    "link_header",
    "serve_forever",
    "serve_in_thread",
]
