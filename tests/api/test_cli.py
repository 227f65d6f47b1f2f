"""``abm api-token``: the first token of a user comes from the command line."""

from abm.cli import cli


def test_a_token_created_on_the_command_line_opens_the_api(runner, api, users):
    result = runner.invoke(cli, ["api-token", "create", "sales@test.local", "--name", "CRM"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    response = api.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["email"] == "sales@test.local"


def test_a_token_revoked_on_the_command_line_is_refused(runner, api, users):
    token = runner.invoke(cli, ["api-token", "create", "sales@test.local", "--name", "x"])
    listed = runner.invoke(cli, ["api-token", "list", "sales@test.local"]).output
    token_id = listed.split("\t")[0]
    assert runner.invoke(cli, ["api-token", "revoke", token_id]).exit_code == 0
    response = api.get("/me", headers={"Authorization": f"Bearer {token.output.strip()}"})
    assert response.status_code == 401


def test_an_unknown_user_is_a_clear_error_with_exit_code_2(runner, users):
    result = runner.invoke(cli, ["api-token", "create", "ghost@test.local", "--name", "x"])
    assert result.exit_code == 2
    assert "no user with the email ghost@test.local" in result.output
    assert "Traceback" not in result.output
