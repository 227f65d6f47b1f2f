"""Accounts of one segment of the latest segmentation run."""

def test_the_list_offers_the_latest_segments(client, login, segmented):
    login("manager")
    page = client.get("/accounts/").get_data(as_text=True)
    assert f'<option value="{segmented.id}" >Steady buyers</option>' in page


def test_the_segment_filter_uses_the_latest_run(client, login, segmented):
    login("manager")
    page = client.get(f"/accounts/?segment={segmented.id}").get_data(as_text=True)
    assert "Own Customer" in page and "Rival Customer" in page
    assert "Another Own" not in page  # only in the older run
