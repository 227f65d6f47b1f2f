"""The segments page and re-running the segmentation in a worker."""

from abm.runs.models import JobRun


def test_before_any_run_the_page_says_so(client, login, book):
    login("marketing")
    page = client.get("/segments/").get_data(as_text=True)
    assert "No segmentation has run yet." in page


def test_the_latest_segments_link_to_their_accounts(client, login, segmented):
    login("marketing")
    page = client.get("/segments/").get_data(as_text=True)
    assert f'<a href="/accounts/?segment={segmented.id}">Steady buyers</a>' in page
    assert "2 accounts (100.0%)" in page


def test_a_segmentation_run_shows_its_progress_and_then_its_outcome(client, session, login,
                                                                     book, run_jobs):
    login("marketing")
    response = client.post("/segments/run")
    assert response.status_code == 302
    run_id = response.location.rsplit("/", 1)[1]
    assert 'http-equiv="refresh"' in client.get(response.location).get_data(as_text=True)
    run_jobs(["analytics"])
    session.expire_all()
    assert session.get(JobRun, run_id).status.value == "failed"  # three accounts: too few
    page = client.get(response.location).get_data(as_text=True)
    assert 'data-status="failed"' in page and 'http-equiv="refresh"' not in page
    assert "there is nothing to segment" in page


def test_sales_cannot_open_segments(client, login, book):
    login("sales")
    assert client.get("/segments/").status_code == 403
    assert client.post("/segments/run").status_code == 403
