"""A segmentation run's page in the pseudo-locale once a worker ran it: why it failed,
worded from the code the run kept, or its outcome (see :mod:`tests.i18n.pseudo`)."""

from __future__ import annotations

import re

from sqlalchemy import select

from abm.db import get_session
from abm.demo import DEMO_USERS
from abm.users.models import User
from tests.i18n.pseudo import OPEN, page_texts, unmarked_words, without_texts
from tests.i18n.test_pages_in_pseudo_locale import _log_in


def _segmentation(app, k: int | None) -> str:
    """A segmentation run started by the manager and run by a worker; its page."""
    from rq import SimpleWorker

    from abm.queue import PromptExit, get_redis
    from abm.segments.jobs import start_segmentation

    class Worker(PromptExit, SimpleWorker):
        pass

    with app.app_context():
        email = next(u[0] for u in DEMO_USERS if u[2] == "manager")
        manager = get_session().scalar(select(User.id).where(User.email == email))
        run_id = start_segmentation(k=k, user_id=manager)
        redis = get_redis(app)
        Worker([redis.queue("analytics")], connection=redis.connection).work(burst=True)
        get_session().close()
    return f"/segments/runs/{run_id}"


def _findings(page: str, demo_words, demo_texts) -> list[str]:
    return [text for text in page_texts(page)
            if unmarked_words(without_texts(text, demo_texts), demo_words)]


def test_the_page_of_a_refused_segmentation_says_why_in_the_catalogue(pseudo_app, demo_words,
                                                                      demo_texts):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    page = client.get(_segmentation(pseudo_app, k=500)).get_data(as_text=True)
    assert 'data-status="failed"' in page
    error = re.search(r'<p class="error" id="segmentation-error">(.*?)</p>', page, re.S).group(1)
    assert error.startswith(OPEN), error
    assert _findings(page, demo_words, demo_texts) == []


def test_the_page_of_a_finished_segmentation_is_in_the_catalogue(pseudo_app, demo_words,
                                                                 demo_texts):
    client = pseudo_app.test_client()
    _log_in(client, "manager")
    page = client.get(_segmentation(pseudo_app, k=None)).get_data(as_text=True)
    assert 'data-status="finished"' in page
    assert _findings(page, demo_words, demo_texts) == []
