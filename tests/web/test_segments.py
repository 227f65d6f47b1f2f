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


def _with_figures(session, segmented):
    from abm.segments.models import RunSegment

    figures = [{"feature": "revenue_12m", "label": "revenue, last 12 months", "unit": "money",
                "value": 8036002.8191, "median": 16334.95, "percentile": 0.99},
               {"feature": "p_alive", "label": "p", "unit": "probability", "value": 0.9321,
                "median": 0.5, "percentile": 0.8}]
    parts = [{"text": "Key accounts", "feature": "revenue_share", "value": 0.1,
              "rule": "share of revenue over the last 12 months >= 10%"},
             {"text": "top revenue", "feature": "revenue_12m", "value": 8036002.8191,
              "rule": "revenue at or above the 80th percentile of accounts"}]
    for row in session.query(RunSegment).filter_by(segment_id=segmented.id):
        row.explanation = {"parts": parts, "figures": figures}
    session.commit()


def test_segment_figures_are_in_the_users_locale_and_the_chart_is_labelled(
        client, session, login, segmented):
    _with_figures(session, segmented)
    login("marketing")
    page = client.get("/segments/").get_data(as_text=True)
    assert "8036002.8191" not in page and "€8,036,003" in page and "€16,335" in page
    assert "93%" in page and "revenue, last 12 months" in page
    assert "Key accounts <span" in page and "(share of revenue: 10%)" in page
    assert "Vertical axis: accounts (number); the tallest bar is 2." in page
    assert "Horizontal axis: segments, numbered as in the legend." in page
    assert '<ol class="legend" id="chart-legend"><li>Steady buyers: 2 accounts (100.0%)' in page


def test_the_segments_page_reads_in_russian(client, session, login, segmented):
    _with_figures(session, segmented)
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    page = client.get("/segments/").get_data(as_text=True).replace("\xa0", " ")
    assert "выручка за последние 12 месяцев" in page and "8 036 003 €" in page
    assert "(доля выручки: 10 %)" in page or "(доля выручки: 10%)" in page
    assert "Вертикальная ось: клиенты (количество)" in page and "2 клиента" in page


NO_ORDERS = {"code": "potential_not_refitted",
             "params": {"reason": {"code": "no_orders", "params": {}}}}


def test_a_run_says_its_step_and_why_it_was_made_without_potential_in_russian(
        client, session, login, book):
    from abm.runs.models import RunStatus
    from abm.runs.services import create_run

    for run_id, status, step in (("running", RunStatus.STARTED, "clustering"),
                                 ("made-without-potential", RunStatus.FINISHED, "done")):
        create_run(session, run_id, kind="segmentation", queue="analytics")
        run = session.get(JobRun, run_id)
        run.status, run.message = status, step
    run.result = {"note": "potential not refitted: no orders yet", "note_reason": NO_ORDERS}
    session.commit()
    login("marketing")
    client.post("/language", data={"lang": "ru"})
    assert " · кластеризация" in client.get("/segments/runs/running").get_data(as_text=True)
    page = client.get("/segments/runs/made-without-potential").get_data(as_text=True)
    assert ("Потенциал не пересчитан: заказов ещё нет: импортируйте продажи, прежде чем "
            "оценивать потенциал") in page
    assert "готово" not in page  # its status says it


def test_the_segments_page_says_why_the_latest_run_has_no_potential(client, session, login,
                                                                     segmented):
    from abm.segments.models import SegmentationRun

    latest = session.query(SegmentationRun).order_by(SegmentationRun.id.desc()).first()
    latest.metrics = {"potential": "potential not available: no orders yet",
                      "potential_note": {**NO_ORDERS, "code": "potential_not_available"}}
    session.commit()
    login("marketing")
    assert "Potential not available: no orders yet: import sales" in client.get(
        "/segments/").get_data(as_text=True)
    client.post("/language", data={"lang": "ru"})
    assert "Потенциал недоступен: заказов ещё нет" in client.get("/segments/").get_data(
        as_text=True)
