from abm.web.charts import bar_chart, pareto_chart


def test_bars_scale_to_the_tallest_and_draw_negatives_as_zero():
    chart = bar_chart([50.0, 100.0, -20.0], width=300, height=110)
    heights = [b["h"] for b in chart["bars"]]
    assert heights == [50.0, 100.0, 0.0]
    assert [b["y"] for b in chart["bars"]] == [60.0, 10.0, 110.0]


def test_no_values_draw_no_bars():
    assert bar_chart([])["bars"] == []
    assert all(b["h"] == 0 for b in bar_chart([0.0, 0.0])["bars"])


def test_the_pareto_core_line_sits_where_the_curve_reaches_the_threshold():
    chart = pareto_chart([(0.25, 0.5), (0.5, 0.85), (1.0, 1.0)], width=100, height=100)
    assert chart["core_x"] == 50.0
    assert chart["threshold_y"] == 20.0
    assert chart["points"] == "0,100 25.0,50.0 50.0,15.0 100.0,0.0"
