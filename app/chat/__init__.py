"""The candidate chat: sign-in from signed links, grounding, and the Chainlit application.

Modules without Chainlit (usable from the CLI and tests): `identity`, `signin`, `grounding`, `auditing`,
`provisioning`, `notices`. Modules that import Chainlit (`handlers`, `render`) must be imported only after
`bootstrap.prepare_chainlit` has run, because importing Chainlit reads its configuration from disk.
"""

from __future__ import annotations
