import numpy as np
import pytest

from abm.ml.clustering import SegmentationError, match_segments, segment
from abm.ml.features import FEATURE_NAMES


def blobs(n_per: int = 50, seed: int = 0) -> np.ndarray:
    """Four well separated groups of accounts in the feature space."""
    rng = np.random.default_rng(seed)
    centres = np.array([
        # revenue, margin, active, days, recency, tenure, trend, top, clv, p_alive
        [200_000, 0.2, 12, 90, 0, 24, 0.1, 0.5, 250_000, 0.99],
        [20_000, 0.25, 11, 30, 0, 24, 0.0, 0.2, 20_000, 0.98],
        [3_000, 0.2, 4, 5, 4, 24, -0.6, 0.1, 200, 0.3],
        [500, 0.3, 2, 2, 1, 3, 1.0, 0.0, 900, 0.9],
    ])
    rows = [c * rng.uniform(0.95, 1.05, size=(n_per, len(c))) for c in centres]
    return np.vstack(rows)


def test_same_data_gives_the_same_labels_and_centroids():
    X = blobs()
    first, second = segment(X, k=4), segment(X, k=4)
    assert np.array_equal(first.labels, second.labels)
    assert np.array_equal(first.centroids, second.centroids)


def test_k_is_chosen_by_silhouette():
    result = segment(blobs(), k_range=(2, 7))
    assert result.k == 4
    assert result.silhouette == max(result.silhouette_by_k.values())


def test_clusters_are_ordered_by_revenue():
    X = blobs()
    result = segment(X[::-1], k=4)  # row order must not matter
    revenue = result.centroids[:, FEATURE_NAMES.index("revenue_12m")]
    assert list(revenue) == sorted(revenue, reverse=True)
    assert result.sizes == [50, 50, 50, 50]


def test_centroids_are_in_the_features_own_units():
    result = segment(blobs(), k=4)
    active = result.centroids[:, FEATURE_NAMES.index("active_months_12m")]
    assert active == pytest.approx([12, 11, 4, 2], rel=0.05)


def test_fewer_accounts_than_segments_is_refused():
    with pytest.raises(SegmentationError, match="only 3 accounts with orders"):
        segment(blobs()[:3], k=4)


def test_identical_accounts_are_refused():
    X = np.tile(blobs()[0], (20, 1))
    with pytest.raises(SegmentationError, match="identical"):
        segment(X)


def test_too_few_distinct_accounts_for_k_are_refused():
    X = np.vstack([np.tile(blobs()[0], (10, 1)), np.tile(blobs()[60], (10, 1))])
    with pytest.raises(SegmentationError, match="only 2 distinct profiles"):
        segment(X, k=3)


def test_no_accounts_are_refused():
    with pytest.raises(SegmentationError, match="no accounts"):
        segment(np.zeros((0, len(FEATURE_NAMES))))


def test_moved_centroids_keep_their_match_and_a_far_one_is_new():
    previous = np.array([[0.0, 0.0], [5.0, 5.0], [10.0, 0.0]])
    current = np.array([[10.1, 0.2], [0.1, -0.1], [30.0, 30.0]])
    assert match_segments(previous, current, max_distance=1.0) == [2, 0, None]


def test_an_earlier_run_maps_into_the_current_space():
    X = blobs()
    before = segment(X, k=4)
    after = segment(blobs(seed=1), k=4)
    pairs = match_segments(after.scale(before.centroids), after.scaled_centroids)
    assert pairs == [0, 1, 2, 3]


def test_accounts_set_apart_get_their_own_first_segment():
    from abm.ml.clustering import segment_apart

    X = blobs()
    revenue = FEATURE_NAMES.index("revenue_12m")
    # Three giants among the first group: clustered with all, they joined it.
    giants = X[:3].copy()
    giants[:, revenue] *= 5
    X = np.vstack([giants, X])
    apart = np.zeros(len(X), dtype=bool)
    apart[:3] = True
    plain = segment(X, k=4)
    assert len(set(plain.labels[:3]) & set(plain.labels[3:])) == 1
    result = segment_apart(X, apart, k=5)
    assert result.k == 5 and result.sizes[0] == 3
    assert set(result.labels[:3]) == {0} and 0 not in set(result.labels[3:])
    assert result.centroids[0, revenue] > result.centroids[1, revenue]
    assert result.scaled_centroids.shape == (5, X.shape[1])


def test_nothing_set_apart_is_a_plain_segmentation():
    from abm.ml.clustering import segment_apart

    X = blobs()
    result = segment_apart(X, np.zeros(len(X), dtype=bool), k=4)
    assert np.array_equal(result.labels, segment(X, k=4).labels)


def test_a_refusal_keeps_its_code_and_figures_for_the_readers_language():
    import pickle

    with pytest.raises(SegmentationError) as refused:
        segment(blobs()[:3], k=4)
    error = refused.value
    assert (error.code, error.params) == ("fewer_accounts_than_k", {"accounts": 3, "k": 4})
    assert error.as_data() == {"error_code": "fewer_accounts_than_k",
                               "error_params": {"accounts": 3, "k": 4}}
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - ours, as a process hands it on
    assert (type(again), str(again), again.code) == (SegmentationError, str(error), error.code)
