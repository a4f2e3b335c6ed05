"""Starting centres of a carve: anchors, centroids of fixed units, weighted k-means++.

Weighted k-means (a few rounds over the free units) gives the balanced k-means of
`terrmap.optimize.allocation` a good place to start; the seed picks the k-means++
draws, so different starts explore different local optima. Greedy k-means++ (the best
of a few draws for each centre, as scikit-learn does) lands nearer a good optimum.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from terrmap.optimize.model import Model

KMEANS_ROUNDS = 12


def initial_centres(model: Model, rng: np.random.Generator, trials: int = 1) -> np.ndarray:
    """``(K, 2)`` starting centres: anchors, centroids of fixed units, then weighted
    k-means++ and a few rounds of weighted k-means over the free units.

    With ``trials`` > 1, k-means++ is greedy: each centre is the best of that many
    draws (the one leaving the least weighted squared distance).
    """
    k = model.k
    centres = model.anchors.copy()
    seeded = ~np.isnan(centres[:, 0])
    for code in range(k):
        members = model.fixed & (model.start == code)
        if not seeded[code] and members.any():
            centres[code] = np.average(model.xy[members], axis=0, weights=model.cost[members])
            seeded[code] = True
    free = ~model.fixed
    xy, w = model.xy[free], model.cost[free]
    if not len(xy):
        return np.where(np.isnan(centres), 0.0, centres)
    _kmeans_pp(centres, seeded, xy, w, rng, trials)
    movable = ~seeded_mask(model)
    for _ in range(KMEANS_ROUNDS):
        _move_to_centroids(centres, cKDTree(centres).query(xy)[1], xy, w, movable)
    return centres


def _move_to_centroids(
    centres: np.ndarray, codes: np.ndarray, xy: np.ndarray, w: np.ndarray, movable: np.ndarray
) -> None:
    """Move each ``movable`` centre to the ``w``-weighted centroid of the points coded
    to it (in place); a centre with no weight there stays."""
    k = len(centres)
    mass = np.bincount(codes, weights=w, minlength=k)
    sx = np.bincount(codes, weights=w * xy[:, 0], minlength=k)
    sy = np.bincount(codes, weights=w * xy[:, 1], minlength=k)
    ok = movable & (mass > 0)
    centres[ok] = np.column_stack([sx[ok] / mass[ok], sy[ok] / mass[ok]])


def seeded_mask(model: Model) -> np.ndarray:
    """Territories whose centre is pinned (anchored at a home)."""
    return ~np.isnan(model.anchors[:, 0])


def _kmeans_pp(
    centres: np.ndarray,
    seeded: np.ndarray,
    xy: np.ndarray,
    w: np.ndarray,
    rng: np.random.Generator,
    trials: int,
) -> None:
    dist2 = np.full(len(xy), np.inf)
    if seeded.any():
        dist2 = cKDTree(centres[seeded]).query(xy)[0] ** 2
    for code in np.flatnonzero(~seeded):
        score = w * np.where(np.isfinite(dist2), dist2, 1.0)
        total = score.sum()
        best = None
        for _ in range(trials):
            pick = int(rng.choice(len(xy), p=score / total) if total > 0 else rng.integers(len(xy)))
            near = np.minimum(dist2, ((xy - xy[pick]) ** 2).sum(axis=1))
            left = float((w * near).sum())
            if best is None or left < best[0]:
                best = (left, pick, near)
        _, pick, dist2 = best
        centres[code] = xy[pick]


def plan_centres(model: Model, codes: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """``(K, 2)`` weighted centroids of a plan's territories; anchored centres stay at
    their anchors, and an empty territory keeps its ``fallback`` centre (by default the
    layer's weighted middle)."""
    placed = codes >= 0
    if fallback is None:
        middle = np.average(model.xy, axis=0, weights=model.cost)
        fallback = np.tile(middle, (model.k, 1))
    centres = fallback.copy()
    _move_to_centroids(
        centres, codes[placed], model.xy[placed], model.cost[placed], ~seeded_mask(model)
    )
    return centres
