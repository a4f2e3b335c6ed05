"""Contiguity: repair plans into connected territories, and test single-unit moves.

Repair keeps each territory's main piece (the one with the most activity, or the one
holding its fixed units) and hands every stray piece to the neighbouring territory it
shares the longest border with (most adjacent units). A stray piece is connected and
touches its new owner, so the owner stays connected; repeating until nothing is stray
makes every territory contiguous.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

from terrmap.optimize.model import Model
from terrmap.optimize.problem import Adjacency


def repair_contiguity(
    model: Model, adjacency: Adjacency, codes: np.ndarray, max_rounds: int = 50
) -> np.ndarray:
    """A copy of ``codes`` in which every territory is one connected piece.

    Units with no code (-1) are treated as stray and join a neighbouring territory.
    Pieces holding fixed units never move (a lock can keep a territory split).
    """
    codes = codes.copy()
    src, dst = adjacency.edges()
    for _ in range(max_rounds):
        stray = _stray_pieces(model, codes, src, dst)
        if stray is None:
            break
        labels, stray_labels = stray
        changed = _hand_over(model, codes, src, dst, labels, stray_labels)
        if not changed:
            break
    return codes


def _stray_pieces(model: Model, codes: np.ndarray, src: np.ndarray, dst: np.ndarray):
    """Component labels and which components are stray (or None if nothing is)."""
    n = len(codes)
    keep = (codes[src] == codes[dst]) & (codes[src] >= 0)
    graph = coo_array(
        (np.ones(int(keep.sum()), dtype=np.int8), (src[keep], dst[keep])), shape=(n, n)
    )
    count, labels = connected_components(graph, directed=False)
    # Main piece of a territory: holds fixed units first, then the most activity.
    score = np.bincount(labels, weights=model.cost, minlength=count)
    score += 1e12 * np.bincount(labels, weights=model.fixed.astype(float), minlength=count)
    piece_code = np.full(count, -1)
    piece_code[labels] = codes
    main = np.full(model.k, -1)
    order = np.lexsort((np.arange(count), -score))
    for piece in order[::-1]:  # ascending score: the best piece writes last and wins
        if piece_code[piece] >= 0:
            main[piece_code[piece]] = piece
    stray = np.ones(count, dtype=bool)
    stray[main[main >= 0]] = False
    fixed_pieces = np.bincount(labels, weights=model.fixed.astype(float), minlength=count) > 0
    stray &= ~fixed_pieces
    if not stray.any():
        return None
    return labels, stray


def _hand_over(
    model: Model,
    codes: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    labels: np.ndarray,
    stray: np.ndarray,
) -> bool:
    """Give each stray piece to the open territory it borders most (main pieces only)."""
    solid = ~stray[labels]
    target_ok = solid[dst] & (codes[dst] >= 0) & ~model.closed[np.maximum(codes[dst], 0)]
    edge = stray[labels[src]] & target_ok & (codes[src] != codes[dst])
    if not edge.any():
        return False
    piece, code = labels[src[edge]], codes[dst[edge]]
    keys, counts = np.unique(piece * model.k + code, return_counts=True)
    best_piece, best_code = keys // model.k, keys % model.k
    order = np.lexsort((best_code, -counts, best_piece))
    first = np.unique(best_piece[order], return_index=True)[1]
    owner = np.full(len(stray), -1)
    owner[best_piece[order][first]] = best_code[order][first]
    moving = owner[labels] >= 0
    codes[moving] = owner[labels][moving]
    return bool(moving.any())


def articulation_points(members: set[int], neighbours: list[list[int]]) -> set[int]:
    """Units whose removal would split the territory made of ``members``.

    Iterative Tarjan (lowpoint) DFS restricted to the territory: recomputed only for
    the territories a move touches, so each costs O(territory size).
    """
    if len(members) <= 2:
        return set()
    root = min(members)
    depth = {root: 0}
    low = {root: 0}
    points: set[int] = set()
    root_children = 0
    stack = [(root, -1, iter(neighbours[root]))]
    while stack:
        node, parent, it = stack[-1]
        advanced = False
        for nxt in it:
            if nxt not in members:
                continue
            if nxt not in depth:
                depth[nxt] = low[nxt] = depth[node] + 1
                stack.append((nxt, node, iter(neighbours[nxt])))
                advanced = True
                break
            if nxt != parent and depth[nxt] < low[node]:
                low[node] = depth[nxt]
        if advanced:
            continue
        stack.pop()
        if parent < 0:
            continue
        if low[node] < low[parent]:
            low[parent] = low[node]
        if parent == root:
            root_children += 1
        elif low[node] >= depth[parent]:
            points.add(parent)
    if root_children > 1:
        points.add(root)
    return points
