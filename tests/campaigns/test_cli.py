import json

from sqlalchemy import select

from abm.campaigns.models import Campaign, CampaignStatus
from abm.cli import cli


def _create(runner, *args):
    result = runner.invoke(cli, args=["campaign", "create", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["id"]


def test_create_takes_options(runner, session):
    campaign_id = _create(runner, "--kind", "promotion", "--name", "Prices",
                          "--audience", '{"rules": [{"field": "region", "op": "eq", '
                          '"value": "North"}]}', "--offer", '{"title": "New prices"}')
    campaign = session.get(Campaign, campaign_id)
    assert (campaign.name, campaign.offer) == ("Prices", {"title": "New prices"})
    assert campaign.audience["rules"][0]["value"] == "North"


def test_create_takes_one_json_file(runner, session, tmp_path):
    spec = tmp_path / "c.json"
    spec.write_text(json.dumps({"name": "Back", "kind": "win_back", "offer": {
        "discount_percent": 5}, "templates": {"en": {"subject": "Hi {{ account.name }}",
                                                     "html": "<p>x</p>", "text": "x"}}}))
    campaign = session.get(Campaign, _create(runner, "--file", str(spec)))
    assert campaign.kind.value == "win_back"
    assert {t.language: t.subject for t in campaign.templates}["en"] == "Hi {{ account.name }}"


def test_a_broken_template_is_a_clear_error_with_exit_code_2(runner, tmp_path):
    result = runner.invoke(cli, args=["campaign", "create", "--kind", "promotion", "--templates",
                                 '{"en": {"subject": "s", "html": "{{ x.__class__ }}", '
                                 '"text": "t"}}'])
    assert result.exit_code == 2
    assert "not allowed" in result.output or "undefined" in result.output
    assert "Traceback" not in result.output


def test_list_and_show_print_json(runner):
    campaign_id = _create(runner, "--kind", "greeting")
    listed = json.loads(runner.invoke(cli, args=["campaign", "list", "--format", "json"]).output)
    assert [c["id"] for c in listed] == [campaign_id]
    shown = json.loads(runner.invoke(cli, args=["campaign", "show", str(campaign_id), "--format",
                                           "json"]).output)
    assert shown["status"] == "draft" and set(shown["templates"]) == {"en", "ru"}


def test_approve_then_schedule_a_volume_bonus(runner, session, users, make_accounts):
    make_accounts(2)
    campaign_id = _create(runner, "--kind", "volume_bonus")
    refused = runner.invoke(cli, args=["campaign", "schedule", str(campaign_id)])
    assert refused.exit_code == 2 and "approval" in refused.output
    approved = runner.invoke(cli, args=["campaign", "approve", str(campaign_id), "--user",
                                   "manager@test.local", "--reason", "ok"])
    assert approved.exit_code == 0, approved.output
    scheduled = runner.invoke(cli, args=["campaign", "schedule", str(campaign_id)])
    assert scheduled.exit_code == 0, scheduled.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).status == CampaignStatus.SCHEDULED


def test_preview_counts_and_renders(runner, make_accounts):
    account = make_accounts(3)[0]
    campaign_id = _create(runner, "--kind", "personal_offer", "--offer", '{"title": "Deal"}')
    counts = json.loads(runner.invoke(cli, args=["campaign", "preview", str(campaign_id),
                                            "--format", "json"]).output)
    assert counts["accounts"] == 3 and counts["contacts"] == 6
    message = runner.invoke(cli, args=["campaign", "preview", str(campaign_id), "--account",
                                  str(account.id)])
    assert "Deal" in message.output


def test_send_then_results(runner, app, make_accounts):
    make_accounts(4, contacts=1)
    campaign_id = _create(runner, "--kind", "promotion", "--holdout", "0.25")
    runner.invoke(cli, args=["campaign", "schedule", str(campaign_id)])
    sent = runner.invoke(cli, args=["campaign", "send", str(campaign_id), "--format", "json"])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output)["sent"] == 3
    results = json.loads(runner.invoke(cli, args=["campaign", "results", str(campaign_id),
                                             "--format", "json"]).output)
    assert results["states"]["sent"] == 3
    assert (results["uplift"]["treated_accounts"], results["uplift"]["held_out_accounts"]) == (3, 1)


def test_an_audience_with_an_unknown_value_is_refused_and_nothing_is_stored(runner, session):
    result = runner.invoke(cli, args=["campaign", "create", "--kind", "win_back", "--audience",
                                      '{"rules": [{"field": "churn_state", "op": "in", '
                                      '"value": ["lost2"]}]}'])
    assert result.exit_code == 2
    assert 'rule 1 (churn_state): "lost2" is not one of active, at_risk, lost' in result.output
    assert "Traceback" not in result.output
    assert session.scalars(select(Campaign)).all() == []


def test_scheduling_a_campaign_whose_segment_left_is_refused_with_the_reason(
        runner, session, resegmented):
    steady = resegmented["steady"].id
    campaign_id = _create(runner, "--kind", "promotion", "--audience", json.dumps(
        {"rules": [{"field": "segment", "op": "eq", "value": steady}]}))
    resegmented["resegment"]()
    session.commit()
    result = runner.invoke(cli, args=["campaign", "schedule", str(campaign_id)])
    assert result.exit_code == 2
    assert f"rule 1 (segment): segment {steady} is not in the latest segmentation" in \
        result.output
    session.expire_all()
    assert session.get(Campaign, campaign_id).status == CampaignStatus.DRAFT


def test_a_volume_bonus_given_on_the_command_line_waits_for_approval(runner, make_accounts):
    make_accounts(2)
    created = runner.invoke(cli, args=[
        "campaign", "create", "--kind", "personal_offer", "--title", "Volume bonus: 10% rebate",
        "--bonus", "10", "--bonus-threshold", "50000", "--payment-days", "90"])
    assert created.exit_code == 0, created.output
    assert "needs approval: a volume bonus of 10% of purchases above 50,000" in created.output
    assert "needs approval: individual payment terms of 90 days" in created.output
    campaign_id = int(created.output.split()[2])
    refused = runner.invoke(cli, args=["campaign", "schedule", str(campaign_id)])
    assert refused.exit_code == 2 and "needs a manager's approval first" in refused.output
    stake = json.loads(runner.invoke(cli, args=["campaign", "stake", str(campaign_id),
                                                "--format", "json"]).output)
    assert (stake["accounts"], stake["recipients"], stake["expected_extra_revenue"]) == (
        2, 4, None)


def test_a_bonus_threshold_without_a_bonus_is_refused_clearly(runner):
    result = runner.invoke(cli, args=["campaign", "create", "--kind", "promotion",
                                      "--bonus-threshold", "100"])
    assert result.exit_code == 2 and "needs the bonus percentage" in result.output


def test_preview_says_why_contacts_are_unreachable(runner, session, make_accounts):
    account = make_accounts(1)[0]
    account.contacts[0].marketing_consent = False
    session.commit()
    campaign_id = _create(runner, "--kind", "promotion")
    output = runner.invoke(cli, args=["campaign", "preview", str(campaign_id)]).output
    assert "1 contact unreachable (no consent: 1)" in output
