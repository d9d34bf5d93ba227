"""iCIMS: the typed REST client, webhook parsing and verification, the tenant mapping, and the local sandbox.

Entry points: ``icims.client.ICIMSClient``; ``icims.profiles`` (``fetch_workflow_bundle``, ``read_ref``,
``read_first``); ``icims.values`` (coercers); ``icims.webhooks`` (parse, verify, ``duplicate_key``);
``icims.errors``; ``icims.sandbox`` (``Sandbox``, ``serve_in_thread``). Nothing here knows about offers.
"""
