"""Classed colouring: breaks of each method, missing values, limits and legend labels."""

from __future__ import annotations

import numpy as np
import pytest

from terrmap.core.classify import (
    MAX_CLASSES,
    MIN_CLASSES,
    NO_DATA_COLOR,
    SEQUENTIAL_COLORS,
    Classification,
    classify,
)


def _counts(classification: Classification) -> list[int]:
    classes = classification.classes
    return np.bincount(classes[classes >= 0], minlength=classification.k).tolist()


@pytest.mark.parametrize("k", [2, 4, 5, 9])
def test_quantile_puts_equal_counts_in_each_class(k):
    values = np.random.default_rng(7).permutation(np.arange(1.0, 181.0))  # 180 = 2·2·3·3·5

    result = classify(values, "revenue", "quantile", k)

    assert result.k == k
    assert _counts(result) == [180 // k] * k


def test_quantile_edges_are_values_that_occur_and_ties_leave_no_empty_class():
    values = np.array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6], dtype=float)

    result = classify(values, "accounts", "quantile", 5)

    assert set(result.edges) <= set(values)
    assert 0 not in _counts(result)
    assert result.legend()[0][0] == "0"  # the zeros are a class of their own


def test_equal_interval_has_equal_widths():
    values = np.array([3.0, 4.0, 10.0, 11.0, 50.0, 103.0])

    result = classify(values, "potential", "equal", 4)

    assert result.edges == pytest.approx((3.0, 28.0, 53.0, 78.0, 103.0))
    assert np.diff(result.edges) == pytest.approx([25.0] * 4)
    assert result.classes.tolist() == [0, 0, 0, 0, 1, 3]


def test_natural_breaks_find_clear_clusters():
    rng = np.random.default_rng(3)
    clusters = [rng.uniform(low, low + 5, size) for low, size in ((0, 40), (100, 25), (300, 35))]
    values = rng.permutation(np.concatenate(clusters))

    result = classify(values, "visits", "natural", 3)

    # Every cluster in its own class, each cluster's maximum included (edges are upper bounds).
    expected = np.digitize(values, [50, 200])
    assert result.classes.tolist() == expected.tolist()
    assert result.edges[1] == pytest.approx(clusters[0].max())
    assert result.edges[2] == pytest.approx(clusters[1].max())


def test_natural_breaks_keep_a_lone_minimum_as_its_own_class():
    values = np.array([0.0, 10.0, 11.0, 12.0, 20.0, 21.0])

    result = classify(values, "x", "natural", 3)

    assert result.classes.tolist() == [0, 1, 1, 1, 2, 2]


def test_natural_breaks_on_many_values_use_a_sample_and_stay_ordered():
    values = np.random.default_rng(5).lognormal(size=20_000)

    result = classify(values, "x", "natural", 7)

    assert result.k == 7
    assert list(result.edges) == sorted(result.edges)
    assert result.edges[0] == values.min()
    assert result.edges[-1] == values.max()


@pytest.mark.parametrize("method", ["quantile", "equal", "natural"])
def test_missing_values_get_class_minus_one_and_a_no_data_legend_row(method):
    values = np.array([1.0, np.nan, 5.0, np.inf, 9.0, 2.0])

    result = classify(values, "x", method, 3)

    assert result.classes[[1, 3]].tolist() == [-1, -1]
    assert (result.classes[[0, 2, 4, 5]] >= 0).all()
    assert result.color_of(1) == NO_DATA_COLOR
    assert result.legend()[-1] == ("No data", NO_DATA_COLOR)


def test_only_missing_values_make_one_empty_class():
    result = classify(np.array([np.nan, np.nan]), "x")

    assert result.classes.tolist() == [-1, -1]
    assert result.k == 1


@pytest.mark.parametrize("method", ["quantile", "equal", "natural"])
def test_constant_values_make_one_class(method):
    result = classify(np.full(6, 42.0), "x", method, 5)

    assert result.k == 1
    assert result.classes.tolist() == [0] * 6
    assert result.legend() == [("42", result.colors[0])]


def test_fewer_distinct_values_than_classes_make_fewer_classes():
    result = classify(np.array([1.0, 1.0, 2.0, 2.0, 3.0]), "x", "natural", 5)

    assert result.k == 3
    assert result.classes.tolist() == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("k", [MIN_CLASSES - 1, MAX_CLASSES + 1])
def test_class_count_out_of_bounds_is_refused(k):
    with pytest.raises(ValueError, match="classes"):
        classify(np.arange(20.0), "x", "quantile", k)


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        classify(np.arange(20.0), "x", "kmeans")  # type: ignore[arg-type]


def test_colours_run_light_to_dark_from_the_sequential_scheme():
    result = classify(np.arange(100.0), "x", "equal", MAX_CLASSES)

    assert set(result.colors) <= set(SEQUENTIAL_COLORS)
    positions = [SEQUENTIAL_COLORS.index(c) for c in result.colors]
    assert positions == sorted(positions)
    assert len(set(result.colors)) == result.k


def test_legend_labels_read_as_ranges_with_separators():
    values = np.array([0.0, 1500.0, 2_400_000.0, 0.25, 7.5])

    result = classify(values, "revenue", "equal", 2)

    assert result.legend() == [
        ("0 – 1.2M", result.colors[0]),
        ("1.2M – 2.4M", result.colors[1]),
    ]
    assert classify(np.array([0.25, 7.5, 1500.0]), "x", "quantile", 2).legend()[0][0] == (
        "0.25 – 7.5"
    )


def test_equality_sees_items_that_changed_class():
    base = classify(np.array([1.0, 2.0, 3.0, 4.0]), "x", "equal", 2)
    swapped = classify(np.array([4.0, 2.0, 3.0, 1.0]), "x", "equal", 2)

    assert base.edges == swapped.edges
    assert base != swapped
    assert base == classify(np.array([1.0, 2.0, 3.0, 4.0]), "x", "equal", 2)
