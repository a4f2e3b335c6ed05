"""Exhaustive search for a contiguous split within a tolerance, for small, lumpy layers.

With a handful of units per territory, whole connected groups of units may be unable to
come within the tolerance at all: Delaware's ZCTAs by land area cannot be split into 8
contiguous territories within ±3.5 %, whatever the plan. A heuristic can only say that it
found nothing; this search settles it, so the optimiser can report the bound the layer
forces instead of a shortfall and stop spending its time limit on more starts. Where a
split does exist it often finds one at once (Rhode Island's ZCTAs within ±2 %: 26,000
steps, half a second), which the local search then polishes.

The search builds territories one at a time. The next territory is one of the connected
groups that hold a chosen unit of the part still unassigned and weigh within the band
(every group is enumerated once); what it leaves behind falls into connected pieces, and
each piece must weigh within the band of a whole number of territories, which prunes most
groups at once. Pieces are then solved independently, and failed pieces are remembered.
The work is counted in steps and capped, so the answer does not depend on the machine's
speed: the search finds a plan, proves there is none, or gives up.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from terrmap.optimize.problem import NEVER, Adjacency

# Slack on band comparisons, in shares of a target: float sums of shares drift.
_EPS = 1e-9
# Bisection for the least tolerance stops when the interval is this narrow (points).
BOUND_PRECISION_PCT = 0.05
# Sweep directions that take turns, and the first round's budget for each.
SWEEPS = 8
FIRST_ROUND_STEPS = 1000
# In a bisection, the sweep that settled the last tolerance first tries the next alone,
# with this many times the steps it needed.
HINT_STEPS_FACTOR = 4
# How often (in steps) the caller's stop is polled.
_POLL_STEPS = 1024


@dataclass(frozen=True)
class SplitLayer:
    """What the search needs to know of a layer.

    Attributes
    ----------
    shares
        ``(n, m)`` each unit's value on each metric as a share of one territory's target
        (equal targets: each column sums to ``k``).
    adjacency
        Which units neighbour which (attached links count).
    xy
        ``(n, 2)`` unit positions; territories are built in a sweep across the layer.
    k
        Number of territories.
    guide
        ``(n,)`` codes of a plan to stay near (optional): the groups most like the
        guide's territory of their first unit are tried first.
    reach
        With a guide: keep every group within ``reach`` radii of the centre of that
        guide territory (a radius: the guide territories' mean distance from their
        centre to their farthest unit). The
        search then finds compact plans near the guide, and an impossibility only
        means that no plan is that near.
    """

    shares: np.ndarray
    adjacency: Adjacency
    xy: np.ndarray
    k: int
    guide: np.ndarray | None = None
    reach: float | None = None


@dataclass(frozen=True)
class SplitOutcome:
    """What one search at one tolerance established.

    Attributes
    ----------
    codes
        ``(n,)`` territory codes of a contiguous plan within the tolerance, or None.
    impossible
        True when the search proved that no such plan exists (within the layer's
        ``reach`` of its guide, if it has one).
    steps
        Work spent (groups and regions examined).
    side
        Which sweep settled it (see ``hint`` of `search_split`), None if none did.
    """

    codes: np.ndarray | None
    impossible: bool
    steps: int
    side: int | None = None


@dataclass(frozen=True)
class SplitBound:
    """The least tolerance a contiguous split can meet, as far as the budget allowed.

    Attributes
    ----------
    impossible_pct
        The largest tolerance (percent) proved impossible: no contiguous plan keeps every
        territory within it on every metric; 0 when even the first was not proved.
    codes, codes_pct
        The most balanced plan the searches found and its max deviation (percent), or
        None and infinity.
    steps
        Work spent over all searches.
    """

    impossible_pct: float
    codes: np.ndarray | None
    codes_pct: float
    steps: int


class _OutOfSteps(Exception):
    pass


def search_split(
    layer: SplitLayer,
    tolerance_pct: float,
    max_steps: int,
    *,
    hint: tuple[int, int] | None = None,
    stop: Callable[[], bool] = NEVER,
) -> SplitOutcome:
    """Find a split of all units into ``k`` contiguous territories within a tolerance.

    Parameters
    ----------
    layer
        The units, their shares of a target and their neighbours.
    tolerance_pct
        Every territory's total must lie within ``1 ± tolerance_pct / 100`` on every metric.
    max_steps
        Work cap; when it runs out (or ``stop`` returns True) the outcome neither finds
        nor proves anything.
    hint
        ``(side, steps)``: a sweep to try alone first, with that budget.

    Notes
    -----
    How much work a search takes depends enormously on the side it starts from: a
    territory holding the big units at one end of a layer has few possible shapes, one
    among small units has millions (Delaware, ±2 %: proved impossible in a few thousand
    steps from the south; from the north, not in 100,000). So sweeps from SWEEPS sides take
    turns, each with a budget that doubles every round, and the first to settle the
    question answers it.
    """
    tolerance = tolerance_pct / 100
    searches = [_Search(layer, order, tolerance, stop) for order in _sweep_orders(layer.xy)]
    turns = [] if hint is None else [hint]
    spent, budget = 0, FIRST_ROUND_STEPS
    while spent < max_steps and not stop():
        turns += [(side, budget) for side in range(len(searches))]
        budget *= 2
        while turns and spent < max_steps:
            side, allowed = turns.pop(0)
            outcome = searches[side].run(min(allowed, max_steps - spent))
            spent += outcome.steps
            if outcome.codes is not None or outcome.impossible:
                return SplitOutcome(outcome.codes, outcome.impossible, spent, side)
    return SplitOutcome(None, False, spent)


def least_tolerance(
    layer: SplitLayer,
    tolerance_pct: float,
    achieved_pct: float,
    max_steps: int,
    *,
    stop: Callable[[], bool] = NEVER,
) -> SplitBound:
    """How far above ``tolerance_pct`` any contiguous split must go, by bisection.

    ``achieved_pct`` is the max deviation of a plan already in hand, so the answer lies
    between the two. The searches share ``max_steps``; the bound is the largest
    tolerance proved impossible, to within BOUND_PRECISION_PCT when the budget allows.
    """
    low, high = tolerance_pct, achieved_pct
    best, best_pct, proved, steps, hint = None, np.inf, 0.0, 0, None
    tolerance = tolerance_pct
    while steps < max_steps and not stop():
        outcome = search_split(layer, tolerance, max_steps - steps, hint=hint, stop=stop)
        steps += outcome.steps
        if outcome.side is None:
            break
        hint = (outcome.side, HINT_STEPS_FACTOR * max(outcome.steps, FIRST_ROUND_STEPS))
        if outcome.impossible:
            proved = low = tolerance
        else:
            found = max_deviation_pct(layer, outcome.codes)
            if found < best_pct:
                best, best_pct = outcome.codes, found
            high = min(high, found)
            if tolerance == tolerance_pct:
                break  # the tolerance itself can be met: nothing to bound
        if high - low <= BOUND_PRECISION_PCT:
            break
        tolerance = 0.5 * (low + high)
    return SplitBound(proved, best, best_pct, steps)


def _sweep_orders(xy: np.ndarray) -> list[list[int]]:
    """Units in order along SWEEPS directions evenly spread around the compass."""
    # South first, then round the compass.
    angles = np.pi / 2 + 2 * np.pi * np.arange(SWEEPS) / SWEEPS
    along = np.asarray(xy, dtype=float) @ np.vstack([np.cos(angles), np.sin(angles)])
    return [np.argsort(along[:, d], kind="stable").tolist() for d in range(SWEEPS)]


class _Tables:
    """Unit sets' totals and neighbours, looked up a byte of the bit set at a time
    (summing unit by unit was most of the search's time).

    Bit ``r`` stands for unit ``order[r]``: the lowest bit of a set is its first unit
    along the sweep, which is where its next group starts and grows from.
    """

    def __init__(self, layer: SplitLayer, order: list[int]) -> None:
        shares = np.asarray(layer.shares, dtype=float)[order]
        n = len(shares)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        self.neighbours = [0] * n
        for r, i in enumerate(order):
            for j in rank[layer.adjacency.neighbours(i)].tolist():
                self.neighbours[r] |= 1 << j
        self.chunks = range((n + 7) // 8)
        self.sums = [_byte_table(shares[:, j].tolist(), 0.0) for j in range(shares.shape[1])]
        self.unions = _byte_table(self.neighbours, 0)

    def weigh(self, units: int) -> list[float]:
        """Totals of a set of units on every metric."""
        present = [(c, units >> (8 * c) & 255) for c in self.chunks]
        present = [(c, b) for c, b in present if b]
        return [sum(table[c][b] for c, b in present) for table in self.sums]

    def reach(self, units: int) -> int:
        """Every neighbour of a set of units."""
        reached = 0
        for c in self.chunks:
            b = units >> (8 * c) & 255
            if b:
                reached |= self.unions[c][b]
        return reached


def _byte_table(values: list, zero):
    """For each byte of the bit set, the sum (or union) of the values its bits select."""
    tables = []
    for start in range(0, len(values), 8):
        table = [zero] * 256
        for b in range(1, 256):
            low = (b & -b).bit_length() - 1
            value = values[start + low] if start + low < len(values) else zero
            table[b] = (
                table[b & (b - 1)] + value
                if isinstance(zero, float)
                else (table[b & (b - 1)] | value)
            )
        tables.append(table)
    return tables


class _Search:
    """Depth-first search over groups; unit sets are Python ints used as bit sets."""

    def __init__(
        self,
        layer: SplitLayer,
        order: list[int],
        tolerance: float,
        stop: Callable[[], bool],
    ) -> None:
        shares = np.asarray(layer.shares, dtype=float)[order]
        self.n, self.k = len(shares), layer.k
        self.tables = tables = _Tables(layer, order)
        self.columns = [shares[:, j].tolist() for j in range(shares.shape[1])]
        self.neighbours = tables.neighbours
        self.low, self.high = 1.0 - tolerance, 1.0 + tolerance
        self.max_steps = self.steps = 0
        self.order = order
        self.stop = stop
        # Per unit (bit), the bit set of the guide plan's territory it belongs to, and
        # the units within reach of that territory (every unit when unrestricted).
        self.guide: list[int] | None = None
        self.near = [-1] * self.n
        if layer.guide is not None:
            guide = np.asarray(layer.guide)[order]
            members = {c: _bit_set(np.flatnonzero(guide == c)) for c in set(guide.tolist())}
            self.guide = [members[c] for c in guide.tolist()]
            if layer.reach is not None:
                self.near = _within_reach(
                    np.asarray(layer.xy, dtype=float)[order], guide, layer.reach
                )
        # Regions proved unsplittable; kept across runs, so a bigger budget resumes
        # rather than repeats.
        self.failed: set[tuple[int, int]] = set()

    def run(self, max_steps: int) -> SplitOutcome:
        """Search again with a budget of ``max_steps``."""
        self.steps, self.max_steps = 0, max_steps
        try:
            groups = self.split_rest((1 << self.n) - 1, self.k) if self.k >= 1 else None
        except _OutOfSteps:
            return SplitOutcome(None, False, max_steps)
        if groups is None:
            return SplitOutcome(None, True, self.steps)
        codes = np.empty(self.n, dtype=np.int64)
        for code, group in enumerate(sorted(groups, key=_lowest_bit)):
            codes[[self.order[r] for r in _bits(group)]] = code
        return SplitOutcome(codes, False, self.steps)

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps or (self.steps % _POLL_STEPS == 0 and self.stop()):
            raise _OutOfSteps

    def counts(self, units: int) -> list[int]:
        """Numbers of territories whose bands the set's totals all fit."""
        totals = self.tables.weigh(units)
        lowest = max(1, int(min(totals) / self.high))
        highest = int(max(totals) / self.low) + 1
        return [
            c
            for c in range(lowest, highest + 1)
            if all(c * self.low - _EPS <= t <= c * self.high + _EPS for t in totals)
        ]

    def solve(self, region: int, count: int) -> list[int] | None:
        """Split a connected region into ``count`` groups within the band, or None."""
        if (region, count) in self.failed:
            return None
        self.tick()
        if count == 1:
            return [region]  # callers only pass regions that fit one band
        seed = (region & -region).bit_length() - 1
        for group in self.groups(seed, region):
            rest = self.split_rest(region & ~group, count - 1)
            if rest is not None:
                return [group, *rest]
        self.failed.add((region, count))
        return None

    def split_rest(self, rest: int, count: int) -> list[int] | None:
        """Solve every connected piece of ``rest`` with a fitting number of territories."""
        pieces = self.pieces(rest)
        options = [self.counts(piece) for piece in pieces]
        for counts in itertools.product(*options):
            if sum(counts) != count:
                continue
            parts: list[int] = []
            # Small pieces first: they fail fastest.
            for piece, pc in sorted(zip(pieces, counts, strict=True), key=lambda pair: pair[1]):
                solved = self.solve(piece, pc)
                if solved is None:
                    break
                parts += solved
            else:
                return parts
        return None

    def pieces(self, units: int) -> list[int]:
        found = []
        while units:
            piece = front = units & -units
            while front:
                front = self.tables.reach(front) & units & ~piece
                piece |= front
            found.append(piece)
            units &= ~piece
        return found

    def groups(self, seed: int, region: int):
        """Every connected group in ``region`` holding ``seed`` and within the band.

        Each frontier unit is either taken or ruled out, so every group comes once.
        """
        columns, high = self.columns, self.high + _EPS
        region &= self.near[seed] | 1 << seed
        # Units of the guide plan's territory of the seed are taken first, so the first
        # groups tried look like it (-1: every unit, when there is no guide).
        like = -1 if self.guide is None else self.guide[seed]
        start = [column[seed] for column in columns]
        stack = [(1 << seed, start, 0, self.neighbours[seed] & region & ~(1 << seed))]
        while stack:
            group, totals, excluded, frontier = stack.pop()
            self.tick()
            frontier &= ~excluded
            pick = -1
            for v in itertools.chain(_bits(frontier & like), _bits(frontier & ~like)):
                if all(t + column[v] <= high for t, column in zip(totals, columns, strict=True)):
                    pick = v
                    break
                excluded |= 1 << v
            if pick < 0:
                if all(t >= self.low - _EPS for t in totals):
                    yield group
                continue
            taken = group | 1 << pick
            stack.append((group, totals, excluded | 1 << pick, frontier))
            stack.append(
                (
                    taken,
                    [t + column[pick] for t, column in zip(totals, columns, strict=True)],
                    excluded,
                    (frontier | self.neighbours[pick]) & region & ~taken,
                )
            )


def _within_reach(xy: np.ndarray, guide: np.ndarray, reach: float) -> list[int]:
    """Per unit, the bit set of the units within ``reach`` radii of the centre of its
    guide territory (a radius: the guide territories' mean distance from their centre
    to their farthest unit)."""
    codes = sorted(set(guide.tolist()))
    centres = np.array([xy[guide == code].mean(axis=0) for code in codes])
    radius = np.mean(
        [
            np.linalg.norm(xy[guide == code] - centres[i], axis=1).max()
            for i, code in enumerate(codes)
        ]
    )
    near = {
        code: _bit_set(np.flatnonzero(np.linalg.norm(xy - centres[i], axis=1) <= reach * radius))
        for i, code in enumerate(codes)
    }
    return [near[code] for code in guide.tolist()]


def _bit_set(positions: np.ndarray) -> int:
    units = 0
    for r in positions.tolist():
        units |= 1 << r
    return units


def _bits(units: int):
    while units:
        low = units & -units
        yield low.bit_length() - 1
        units ^= low


def _lowest_bit(units: int) -> int:
    return (units & -units).bit_length()


def max_deviation_pct(layer: SplitLayer, codes: np.ndarray) -> float:
    """The plan's largest |deviation| from target on any metric, in percent."""
    totals = np.zeros((layer.k, np.shape(layer.shares)[1]))
    np.add.at(totals, codes, layer.shares)
    return float(100.0 * np.abs(totals - 1.0).max(initial=0.0))
