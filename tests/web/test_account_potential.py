"""The account page shows the potential of the latest fit, and nothing without one."""

from datetime import date

from abm.segments.models import AccountPotential, PotentialFit


def test_the_account_page_shows_the_potential(client, session, login, book):
    fit = PotentialFit(calibration_end=date(2026, 10, 31), unit="weeks", horizon=52.0,
                       n_customers=3, params={}, log_likelihood=-1.0,
                       settings={"horizon_months": 12})
    session.add(fit)
    session.flush()
    session.add(AccountPotential(fit_id=fit.id, account_id=book["own"].id, kind="customer",
                                 p_alive=0.875, expected_purchases=7.25, clv=43210.0,
                                 score=0.5))
    session.commit()
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'id="potential"' in page
    assert "87.5%" in page and "€43,210" in page and "7.2" in page


def test_without_a_fit_there_is_no_potential_section(client, login, book):
    login("sales")
    page = client.get(f"/accounts/{book['own'].id}").get_data(as_text=True)
    assert 'id="potential"' not in page
