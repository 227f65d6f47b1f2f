from datetime import date
from pathlib import Path

import numpy as np
import pytest

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="session")
def cdnow_summary():
    """x, t_x, T (weeks) and mean repeat spend per CDNOW customer, 39-week calibration.

    Computed here in plain Python from the raw transactions, purchases on one
    day counting as one, independently of the database queries.
    """
    end = date(1997, 9, 30)
    days: dict[int, dict[date, float]] = {}
    for line in (DATA / "CDNOW_sample.txt").read_text().splitlines():
        _, customer, day, _, amount = line.split()
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
        per_day = days.setdefault(int(customer), {})
        if when <= end:
            per_day[when] = per_day.get(when, 0.0) + float(amount)
    x, t_x, T, mbar = [], [], [], []
    for per_day in days.values():
        ordered = sorted(per_day)
        x.append(len(ordered) - 1)
        t_x.append((ordered[-1] - ordered[0]).days / 7)
        T.append((end - ordered[0]).days / 7)
        mbar.append(sum(per_day[d] for d in ordered[1:]) / x[-1] if x[-1] else 0.0)
    return tuple(np.array(v, dtype=float) for v in (x, t_x, T, mbar))
