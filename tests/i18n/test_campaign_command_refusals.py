"""A campaign command's refusal follows the command's language."""

from __future__ import annotations

from abm.cli import cli


def test_scheduling_a_campaign_awaiting_approval_is_refused_in_russian(pseudo_app):
    from abm.campaigns.models import Campaign, CampaignStatus
    from abm.db import get_session

    with pseudo_app.app_context():
        pending = get_session().query(Campaign).filter_by(
            status=CampaignStatus.PENDING_APPROVAL).first().id
        get_session().close()
    result = pseudo_app.test_cli_runner().invoke(
        cli, ["campaign", "schedule", str(pending)], env={"ABM_LANGUAGE": "ru"})
    assert result.exit_code == 2
    assert "⟦кампанию в состоянии «⟧pending_approval⟦» нельзя запланировать⟧" in result.output
