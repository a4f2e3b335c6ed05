"""Contiguity-preserving local search: boundary moves until balanced and compact.

The objective, lowest best::

    F = compactness / compactness at start                   (relative, ~1)
      + BAND_WEIGHT   × Σ relative excess outside the bands   (the main constraint)
      + spread_weight × Σ (relative deviation from target)²   (pulls totals to target,
                                                               so weight can flow along
                                                               a chain of territories)
      + disruption_weight × share of disruption moved         (rebalance)

A move hands one boundary unit to a neighbouring territory. Candidate moves are
scored together with numpy at the start of a pass; the improving ones are then
applied one by one in Python, each re-scored when an earlier move of the pass changed
either territory (running totals and centre sums make that O(metrics)) and checked for
contiguity: the receiving territory touches the unit, and the unit must not be an
articulation point of the territory it leaves (cached per territory, recomputed only
for the two territories a move touches; a unit whose neighbours there touch one
another in one piece passes without it). Units known to be articulation points are
left out of a pass at once. When no improving move is left and a band is still
missed, a short tabu walk takes the best non-tabu move that relieves a territory
outside its band, even if it costs compactness, and forbids undoing it for a while.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import numpy as np

from terrmap.optimize.contiguity import articulation_points
from terrmap.optimize.model import Model
from terrmap.optimize.problem import Adjacency

BAND_WEIGHT = 50.0
EPS = 1e-12
TABU_TENURE = 10
TABU_SCAN = 200  # best-scored candidates checked for a tabu walk's next move


class LocalSearch:
    """Mutable search state over a contiguous plan (see the module docstring)."""

    def __init__(
        self,
        model: Model,
        adjacency: Adjacency,
        codes: np.ndarray,
        *,
        disruption_weight: float,
        deadline: float,
        stop: Callable[[], bool],
    ) -> None:
        self.model = model
        self.k, self.m = model.k, model.weights.shape[1]
        self.codes = codes.astype(np.int64).copy()
        self.code = self.codes.tolist()
        self.nbrs = [adjacency.neighbours(i).tolist() for i in range(model.n)]
        self.src, self.dst = adjacency.edges()
        self.members: list[set[int]] = [set() for _ in range(self.k)]
        for unit, c in enumerate(self.code):
            self.members[c].add(unit)
        self.deadline, self.stop = deadline, stop
        self.stopped = False
        self.spread_weight = 2.0
        self.disruption_weight = disruption_weight if model.current is not None else 0.0
        self._init_arrays()
        # Edges whose first unit may move, with what scoring reads of that unit: gathered
        # once, since scoring runs every step of a walk.
        movable = ~model.fixed[self.src]
        self._edge_src, self._edge_dst = self.src[movable], self.dst[movable]
        self._edge_x = model.xy[self._edge_src, 0]
        self._edge_y = model.xy[self._edge_src, 1]
        self._edge_cost = model.cost[self._edge_src]
        self._edge_w = model.weights[self._edge_src]
        # The movable edges leaving and entering each unit (CSR), so a tabu step finds
        # the edges of the two territories it changed from their members alone.
        self._edges_out = _edges_by_unit(self._edge_src, model.n)
        self._edges_in = _edges_by_unit(self._edge_dst, model.n)
        self._articulation: dict[int, set[int]] = {}
        # Units that are articulation points of their territory, true for the
        # territories in `_articulation` (a numpy view of it, to filter candidates).
        self._cut = np.zeros(model.n, dtype=bool)
        self.tabu_until = np.zeros(model.n, dtype=np.int64)  # step a unit may move again
        self.step = 0
        self.tenure = TABU_TENURE

    # -- set-up ------------------------------------------------------------------
    def _init_arrays(self) -> None:
        model = self.model
        self.targets = np.where(model.targets > 0, model.targets, 1.0)
        self.band = (model.upper - model.targets) / self.targets
        self.w_rel = model.weights[:, None, :] / self.targets[None, :, :]  # used vectorised
        self.w = model.weights.tolist()
        self.t_list = self.targets.tolist()
        self.band_list = self.band.tolist()
        totals = np.zeros((self.k, self.m))
        np.add.at(totals, self.codes, model.weights)
        self.totals = totals.tolist()
        self.cost = model.cost.tolist()
        self.x, self.y = model.xy[:, 0].tolist(), model.xy[:, 1].tolist()
        self.mass = np.bincount(self.codes, weights=model.cost, minlength=self.k).tolist()
        self.sx = np.bincount(
            self.codes, weights=model.cost * model.xy[:, 0], minlength=self.k
        ).tolist()
        self.sy = np.bincount(
            self.codes, weights=model.cost * model.xy[:, 1], minlength=self.k
        ).tolist()
        self.anchored = (~np.isnan(model.anchors[:, 0])).tolist()
        self.anchor = np.nan_to_num(model.anchors).tolist()
        self.fixed = model.fixed.tolist()
        self.closed = model.closed.tolist()
        current = model.current if model.current is not None else np.full(model.n, -1)
        self.current = current.tolist()
        self.disruption = model.disruption.tolist()
        moved = (current >= 0) & (self.codes != current)
        self.moved = float(model.disruption[moved].sum())
        centres = self.centres()
        dist = np.hypot(*(model.xy - centres[self.codes]).T)
        self.compact_scale = max(float((model.cost * dist).sum()), EPS)

    def set_band(self, band: np.ndarray) -> None:
        """Use ``band`` ((K, m), relative to target) instead of the model's bands."""
        self.band = np.asarray(band, dtype=float).copy()
        self.band_list = self.band.tolist()

    def deviations(self) -> np.ndarray:
        """``(K, m)`` relative deviation of each territory's totals from its target."""
        return np.asarray(self.totals) / self.targets - 1.0

    # -- state views -----------------------------------------------------------
    def centre(self, c: int) -> tuple[float, float]:
        """Current centre of territory ``c``."""
        if self.anchored[c]:
            return self.anchor[c][0], self.anchor[c][1]
        mass = self.mass[c]
        if mass <= 0:
            return self.anchor[c][0], self.anchor[c][1]
        return self.sx[c] / mass, self.sy[c] / mass

    def centres(self) -> np.ndarray:
        """``(K, 2)`` current centres."""
        return np.array([self.centre(c) for c in range(self.k)])

    def violation(self) -> float:
        """Σ relative excess outside the bands (0 when every band is met)."""
        total = 0.0
        for c in range(self.k):
            if self.closed[c]:
                continue
            for j in range(self.m):
                r = self.totals[c][j] / self.t_list[c][j] - 1.0
                total += max(0.0, abs(r) - self.band_list[c][j])
        return total

    def outside_band(self) -> np.ndarray:
        """``(open K, m)`` how far each open territory's deviation lies outside its band."""
        outside = np.maximum(np.abs(self.deviations()) - self.band, 0.0)
        return outside[~self.model.closed]

    def objective(self, spread: float | None = None) -> float:
        """The objective of the current plan, recomputed from scratch (see module doc)."""
        model = self.model
        dist = np.hypot(*(model.xy - self.centres()[self.codes]).T)
        value = float((model.cost * dist).sum()) / self.compact_scale
        r = self.deviations()
        spread = self.spread_weight if spread is None else spread
        excess = float(self.outside_band().sum())
        value += BAND_WEIGHT * excess + spread * float((r[~model.closed] ** 2).sum())
        return value + self.disruption_weight * self.moved

    # -- scoring ---------------------------------------------------------------
    def _balance_term(self, c: int, j: int, total: float) -> float:
        r = total / self.t_list[c][j] - 1.0
        excess = abs(r) - self.band_list[c][j]
        return (BAND_WEIGHT * excess if excess > 0 else 0.0) + self.spread_weight * r * r

    def delta(self, i: int, b: int) -> float:
        """Change of the objective if unit ``i`` moved to territory ``b`` (centres held)."""
        a = self.code[i]
        ax, ay = self.centre(a)
        bx, by = self.centre(b)
        xi, yi = self.x[i], self.y[i]
        d = self.cost[i] * (math.hypot(xi - bx, yi - by) - math.hypot(xi - ax, yi - ay))
        d /= self.compact_scale
        wi = self.w[i]
        ta, tb = self.totals[a], self.totals[b]
        for j in range(self.m):
            if wi[j] == 0.0:
                continue
            d += self._balance_term(a, j, ta[j] - wi[j]) - self._balance_term(a, j, ta[j])
            d += self._balance_term(b, j, tb[j] + wi[j]) - self._balance_term(b, j, tb[j])
        if self.disruption_weight and self.current[i] >= 0:
            was = a != self.current[i]
            will = b != self.current[i]
            d += self.disruption_weight * 100.0 * self.disruption[i] * (will - was) / 100.0
        return d

    def candidate_moves(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All boundary moves (unit, territory) with their numpy-scored deltas."""
        # A unit with two neighbours in the same territory is listed twice; harmless.
        keep = self._moves_among(np.arange(len(self._edge_src)))
        return self._edge_src[keep], self.codes[self._edge_dst[keep]], self._scores(keep)

    def _moves_among(self, edges: np.ndarray) -> np.ndarray:
        """Those of ``edges`` (positions among the movable edges) that are moves now:
        across a border, into an open territory."""
        frm, to = self.codes[self._edge_src[edges]], self.codes[self._edge_dst[edges]]
        return edges[(frm != to) & ~self.model.closed[to]]

    def _scores(self, edges: np.ndarray) -> np.ndarray:
        """Deltas of the moves along ``edges``, each from its two territories' state only
        (so a score stays exact until a move changes one of them)."""
        units = self._edge_src[edges]
        frm, to = self.codes[units], self.codes[self._edge_dst[edges]]
        model = self.model
        centres = self.centres()
        x, y = self._edge_x[edges], self._edge_y[edges]
        dist_b = np.hypot(x - centres[to, 0], y - centres[to, 1])
        dist_a = np.hypot(x - centres[frm, 0], y - centres[frm, 1])
        delta = self._edge_cost[edges] * (dist_b - dist_a) / self.compact_scale
        totals = np.asarray(self.totals)
        w = self._edge_w[edges]
        now = self._balance_terms(np.arange(self.k), totals)  # per territory, before any move
        delta += self._balance_terms(frm, totals[frm] - w) - now[frm]
        delta += self._balance_terms(to, totals[to] + w) - now[to]
        if self.disruption_weight and model.current is not None:
            cur = model.current[units]
            change = ((to != cur).astype(float) - (frm != cur)) * (cur >= 0)
            delta += self.disruption_weight * model.disruption[units] * change
        return delta

    def _rescore(self, scores: np.ndarray, a: int, b: int) -> None:
        """After a move between territories ``a`` and ``b``: score again, in place, the
        edges that touch either (``scores`` holds every movable edge, inf where no move)."""
        units = np.fromiter(
            itertools.chain(self.members[a], self.members[b]),
            dtype=np.int64,
            count=len(self.members[a]) + len(self.members[b]),
        )
        # An edge inside the two territories is listed twice; scoring it twice is harmless.
        touched = np.concatenate([_gather(self._edges_out, units), _gather(self._edges_in, units)])
        scores[touched] = np.inf
        keep = self._moves_among(touched)
        scores[keep] = self._scores(keep)

    def _balance_terms(self, codes: np.ndarray, totals: np.ndarray) -> np.ndarray:
        r = totals / self.targets[codes] - 1.0
        excess = np.maximum(np.abs(r) - self.band[codes], 0.0)
        return (BAND_WEIGHT * excess + self.spread_weight * r * r).sum(axis=1)

    # -- moves -----------------------------------------------------------------
    def can_move(self, i: int, b: int) -> bool:
        """Whether moving unit ``i`` to ``b`` keeps both territories contiguous (and caps)."""
        a = self.code[i]
        if a == b or self.fixed[i] or self.closed[b] or len(self.members[a]) <= 1:
            return False
        code = self.code
        touches_b = False
        inside = 0
        for nb in self.nbrs[i]:
            cn = code[nb]
            if cn == b:
                touches_b = True
            elif cn == a:
                inside += 1
        if not touches_b:
            return False
        if self.model.max_moved is not None and self.current[i] >= 0:
            after = self.moved + self.disruption[i] * (
                (b != self.current[i]) - (a != self.current[i])
            )
            if after > self.model.max_moved + 1e-12 and after > self.moved:
                return False
        if inside <= 1:
            return True
        points = self._articulation.get(a)
        if points is None and self._bridged_around(i, a):
            return True
        return i not in (points if points is not None else self._articulation_points(a))

    def _bridged_around(self, i: int, a: int) -> bool:
        """Whether ``i``'s neighbours in territory ``a`` touch one another in one piece:
        then any path through ``i`` can go round it, so ``a`` stays connected without
        it. A quick local test that spares most full articulation searches."""
        code, nbrs = self.code, self.nbrs
        inside = {nb for nb in nbrs[i] if code[nb] == a}
        start = next(iter(inside))
        seen, todo = {start}, [start]
        while todo:
            for nb in nbrs[todo.pop()]:
                if nb in inside and nb not in seen:
                    seen.add(nb)
                    todo.append(nb)
        return len(seen) == len(inside)

    def _articulation_points(self, a: int) -> set[int]:
        """Territory ``a``'s articulation points (cached until a move touches it)."""
        points = self._articulation.get(a)
        if points is None:
            points = articulation_points(self.members[a], self.nbrs)
            self._articulation[a] = points
            self._cut[list(self.members[a])] = False
            self._cut[list(points)] = True
        return points

    def apply(self, i: int, b: int) -> None:
        """Move unit ``i`` to territory ``b`` and update every running sum."""
        a = self.code[i]
        self.code[i] = b
        self.codes[i] = b
        self.members[a].discard(i)
        self.members[b].add(i)
        for j, wij in enumerate(self.w[i]):
            self.totals[a][j] -= wij
            self.totals[b][j] += wij
        ci = self.cost[i]
        self.mass[a] -= ci
        self.mass[b] += ci
        self.sx[a] -= ci * self.x[i]
        self.sx[b] += ci * self.x[i]
        self.sy[a] -= ci * self.y[i]
        self.sy[b] += ci * self.y[i]
        cur = self.current[i]
        if cur >= 0:
            self.moved += self.disruption[i] * ((b != cur) - (a != cur))
        self._articulation.pop(a, None)
        self._articulation.pop(b, None)
        self.step += 1

    def out_of_time(self) -> bool:
        """Whether the deadline passed or the caller asked to stop."""
        if self.stopped:
            return True
        if time.perf_counter() > self.deadline or self.stop():
            self.stopped = True
        return self.stopped

    # -- search ----------------------------------------------------------------
    def improve(self, max_passes: int = 1000) -> int:
        """Apply improving moves pass after pass until none is left; return the count."""
        applied = 0
        for _ in range(max_passes):
            units, to, delta = self.candidate_moves()
            good = delta < -EPS
            if good.any():
                # Most improving moves are of units their territory cannot lose (US
                # counties by two metrics: 184,000 of 189,000 checked); leave out those
                # known to be, rather than score and test them one by one.
                known = np.zeros(self.k, dtype=bool)
                known[list(self._articulation)] = True
                good &= ~(self._cut[units] & known[self.codes[units]])
            if not good.any():
                break
            order = np.argsort(delta[good], kind="stable")
            done = 0
            moved: set[int] = set()
            changed: set[int] = set()  # territories whose totals and centre moved
            for i, b, scored in zip(
                units[good][order].tolist(),
                to[good][order].tolist(),
                delta[good][order].tolist(),
                strict=True,
            ):
                if i in moved:
                    continue
                a = self.code[i]
                # The numpy score stands while neither territory has changed.
                if a in changed or b in changed:
                    scored = self.delta(i, b)
                if scored < -EPS and self.can_move(i, b):
                    self.apply(i, b)
                    moved.add(i)
                    changed.update((a, b))
                    done += 1
                    if done % 64 == 0 and self.out_of_time():
                        break
            applied += done
            if done == 0 or self.out_of_time():
                break
        return applied

    def tabu_walk(self, steps: int) -> np.ndarray:
        """Tabu search: take the best allowed move, improving or not, ``steps`` times.

        A unit that moved may not move again for `TABU_TENURE` steps unless the move
        would beat the best plan seen (aspiration). This is what carries weight along
        a chain of full territories, or lets a big unit change place with small ones,
        where no single move improves. Returns the best codes seen (by band violation,
        then objective).
        """
        best_codes = self.codes.copy()
        value = 0.0
        violation = round(self.violation(), 9)
        best_key = (violation, value)
        balancing = best_key[0] > 0
        # Every movable edge's score, inf where it is no move; a step scores again only
        # the edges of the two territories it changed (a third of a walk's time before).
        scores = np.full(len(self._edge_src), np.inf)
        live = self._moves_among(np.arange(len(self._edge_src)))
        scores[live] = self._scores(live)
        for _ in range(steps):
            if self.out_of_time() or (balancing and best_key[0] == 0):
                # A walk that set out to reach the bands is done once it has.
                break
            live = np.flatnonzero(np.isfinite(scores))
            units, delta = self._edge_src[live], scores[live]
            to = self.codes[self._edge_dst[live]]
            if violation > 0:
                # While a band is missed, only moves that relieve it: wandering
                # elsewhere on the plateau costs time and finds nothing.
                delta = np.where(self._relieves(units, to), delta, np.inf)
            order = _smallest(delta, TABU_SCAN)
            # Not tabu, or good enough to beat the best plan seen (aspiration).
            allowed = (self.tabu_until[units[order]] <= self.step) | (
                value + delta[order] < best_key[1] - EPS
            )
            chosen = None
            # Nothing moves while scanning, so the numpy scores are the exact deltas.
            for pos in order[allowed].tolist():
                i, b = int(units[pos]), int(to[pos])
                if self.can_move(i, b):
                    chosen = (i, b, float(delta[pos]))
                    break
            if chosen is None:
                break
            i, b, d = chosen
            a = self.code[i]
            self.apply(i, b)
            self._rescore(scores, a, b)
            self.tabu_until[i] = self.step + self.tenure
            value += d
            violation = round(self.violation(), 9)
            key = (violation, value)
            if key < best_key:
                best_key, best_codes = key, self.codes.copy()
        return best_codes

    def reset(self, codes: np.ndarray) -> None:
        """Return to another plan (the best one a walk found), rebuilding every sum."""
        moved = np.flatnonzero(codes != self.codes)
        for i in moved.tolist():
            self.apply(i, int(codes[i]))

    def _relieves(self, units: np.ndarray, to: np.ndarray) -> np.ndarray:
        """Moves out of an over-band territory or into an under-band one."""
        r = self.deviations()
        open_ = ~self.model.closed[:, None]
        over = ((r > self.band) & open_).any(axis=1)
        under = ((r < -self.band) & open_).any(axis=1)
        return over[self.codes[units]] | under[to]


def _smallest(values: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` smallest finite ``values``, ascending, ties in position
    order: the head of a stable argsort, without sorting every border edge of a large
    layer at each step (most of a tabu step's time on 33,000 ZIP codes)."""
    finite = np.flatnonzero(np.isfinite(values))
    if len(finite) > count:
        kth = np.partition(values[finite], count - 1)[count - 1]
        finite = finite[values[finite] <= kth]
    return finite[np.argsort(values[finite], kind="stable")][:count]


def _edges_by_unit(ends: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR ``(pointers, positions)``: the positions in ``ends`` that hold each unit."""
    order = np.argsort(ends, kind="stable")
    pointers = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(ends, minlength=n), out=pointers[1:])
    return pointers, order


def _gather(csr: tuple[np.ndarray, np.ndarray], units: np.ndarray) -> np.ndarray:
    """The positions a CSR from `_edges_by_unit` lists for ``units``, concatenated."""
    pointers, positions = csr
    starts, counts = pointers[units], pointers[units + 1] - pointers[units]
    offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
    return positions[offsets + np.arange(int(counts.sum()))]
