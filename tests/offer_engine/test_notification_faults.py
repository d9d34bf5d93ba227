"""No duplicate mail when a worker is killed (SIGKILL) mid-delivery: a real worker process, a real SMTP server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from offer_engine import candidate_requests, notifications
from offer_engine.actors import Role
from offer_engine.columns import utcnow
from offer_engine.db import session_scope
from offer_engine.notifications import NotificationState
from offer_engine.notify_delivery import UNCONFIRMED
from offer_engine.offers import OfferState
from tests import factories as f
from tests.offer_engine.test_notifications import add_staff, deliver, named, submitted
from tests.support.smtp import SmtpHandle, running_smtp

DOOMED_WORKER = """
import sys
from offer_engine.actors import system_actor
from offer_engine.db import make_engine
from offer_engine.mail import SmtpSettings
from offer_engine.notify_delivery import Notifier, deliver_notifications

url, schema, host, port = sys.argv[1:5]
engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"}) if schema else make_engine(url)
smtp = SmtpSettings(host=host, port=int(port), timeout_seconds=120)
notifier = Notifier(smtp=smtp, public_url="https://offers.example", company_name="Corvid")
deliver_notifications(engine, notifier, actor=system_actor("doomed"))
"""


@pytest.fixture
def smtp() -> Iterator[SmtpHandle]:
    with running_smtp() as handle:
        yield handle


def _kill_worker_at(engine: Engine, smtp: SmtpHandle, command: str) -> None:
    """Start a worker process, SIGKILL it once the server holds `command` unanswered, then let the server go on."""
    schema = ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = str(conn.execute(text("SHOW search_path")).scalar())
    smtp.handler.hold_at = command
    url = engine.url.render_as_string(hide_password=False)
    worker = subprocess.Popen([sys.executable, "-c", DOOMED_WORKER, url, schema, smtp.host, str(smtp.port)])
    try:
        assert smtp.handler.reached.wait(60), "the worker never reached the mail server"
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    smtp.handler.release.set()
    smtp.handler.hold_at = None


def test_killed_while_handing_over_the_content_no_second_mail(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine)
    _kill_worker_at(engine, smtp, "DATA")
    assert len(smtp.received) == 1  # the server kept it; the worker never heard so
    result = deliver(engine, smtp, now=utcnow() + timedelta(seconds=301))  # the lease is over
    assert len(smtp.received) == 1
    assert len(result.dead) == 1
    with session_scope(engine) as session:
        dead = notifications.get(session, result.dead[0])
        assert dead.last_error == UNCONFIRMED
        assert dead.attempts == 2


def test_killed_before_the_content_the_mail_goes_exactly_once(engine: Engine, smtp: SmtpHandle) -> None:
    submitted(engine)
    _kill_worker_at(engine, smtp, "RCPT")
    assert smtp.received == []
    start = utcnow()
    assert deliver(engine, smtp, now=start).delivered == []  # still leased to the dead worker
    result = deliver(engine, smtp, now=start + timedelta(seconds=301))
    assert len(smtp.received) == 1
    assert len(result.delivered) == 1
    deliver(engine, smtp, now=start + timedelta(seconds=700))
    assert len(smtp.received) == 1


def test_two_workers_at_once_send_each_mail_once(engine: Engine, smtp: SmtpHandle) -> None:
    with session_scope(engine) as session:
        for n in range(8):
            add_staff(session, f"rita{n}.recruiter", Role.RECRUITER)
        offer = named(f.make_offer(session, state=OfferState.SENT))
        candidate_requests.submit_request(
            session, offer, candidate_requests.RequestKind.HANDOFF, actor=f.candidate(offer), message="Hi"
        )
    start = threading.Barrier(2)

    def worker() -> None:
        start.wait()
        deliver(engine, smtp)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(m["To"] for m in smtp.received) == sorted(f"rita{n}.recruiter@corvid.example" for n in range(8))
    with session_scope(engine) as session:
        states = {n.state for n in notifications.list_notifications(session)}
    assert states <= {NotificationState.DELIVERED, NotificationState.SKIPPED}
