"""The first pages a fresh web process serves do not wait for the machine-learning libraries.

scikit-learn and SciPy take more than a second to import. The segmentation and
potential fits need them, in jobs; pages only read what the fits stored. When the
accounts list's segment filter imported the fitting module, the first list after
every start took 1.2 s; a campaign's results page imported scipy.stats for one
quantile even with nothing sent (2 s).
"""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from abm.app import create_app
from abm.accounts.models import Account
from abm.campaigns.services import create_campaign
from abm.db import get_db, upgrade
from abm.users.services import create_user

url, redis_url, folder = sys.argv[1:4]
upgrade(url)
app = create_app({"database_url": url, "redis_url": redis_url, "instance_path": folder,
                  "secret_key": "first-request", "WTF_CSRF_ENABLED": False})
with app.app_context():
    session = get_db(app).session()
    create_user(session, email="boss@test.local", name="Boss", role="manager",
                password="first-request-password")
    account = Account(name="Nordic Tools ehf.")
    session.add(account)
    campaign = create_campaign(session, name="Win back", kind="win_back")
    session.commit()
    account_id, campaign_id = account.id, campaign.id
    get_db(app).session.remove()
client = app.test_client()
client.post("/login", data={"email": "boss@test.local", "password": "first-request-password"})
statuses = {path: client.get(path).status_code
            for path in ("/", "/accounts/", f"/accounts/{account_id}", "/segments/",
                         f"/campaigns/{campaign_id}", f"/campaigns/{campaign_id}/results")}
print(json.dumps({"statuses": statuses,
                  "imported": sorted(m for m in ("sklearn", "scipy") if m in sys.modules)}))
get_db(app).dispose()
"""


def test_pages_never_import_scikit_learn_or_scipy(tmp_path, redis_url):
    url = f"sqlite:///{tmp_path / 'first.sqlite3'}"
    done = subprocess.run([sys.executable, "-c", SCRIPT, url, redis_url, str(tmp_path / "i")],
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result["statuses"].values()) == {200}, result
    assert result["imported"] == []
