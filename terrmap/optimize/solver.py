"""`optimise`: allocation (carve) or the current plan (rebalance), contiguity repair,
then local search for balance and compactness."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from terrmap.optimize.allocation import allocate, allocate_near_plan, initial_centres
from terrmap.optimize.cap_exchange import exchange_moves
from terrmap.optimize.centres import plan_centres
from terrmap.optimize.chains import balance_by_chains
from terrmap.optimize.contiguity import repair_contiguity
from terrmap.optimize.evaluate import (
    compactness_km,
    meets_tolerance,
    summarise,
    territory_centres,
    territory_targets,
    totals_by_territory,
)
from terrmap.optimize.labels import existing_labels
from terrmap.optimize.local_search import LocalSearch
from terrmap.optimize.model import Model, build_model
from terrmap.optimize.narrow import narrow_worst
from terrmap.optimize.problem import (
    NEVER,
    NO_PROGRESS,
    OptimiseParams,
    OptimiseProblem,
    OptimiseResult,
    Progress,
    Stop,
)
from terrmap.optimize.rebalance import balance_by_flows
from terrmap.optimize.settle import settle_tolerance
from terrmap.optimize.swaps import improve_with_swaps

# Balanced k-means rounds: (priced, exact LP); see `allocate`. On lumpy layers (fewer
# than LUMPY_UNITS units a territory) only the first start runs them to near convergence;
# the others take the k-means++ centres almost as they are, so that they differ: there,
# fully converged starts mostly end in the same plan (Delaware ZCTAs seed 1: 11.1 % from
# ten such starts, 3.6 % with varied ones). Elsewhere converged starts are the more
# compact (Texas counties by ZIPs and population: 102 km against 121 km).
LLOYD_ROUNDS = (15, 3)
VARIED_ROUNDS = (0, 1)
LUMPY_UNITS = 20
USE_SWAPS = True
# Carve starts: about START_UNITS / n of them (small problems are cheap and lumpy), and
# no more than fit in the time limit at START_SECONDS each (a start of ~70 units takes
# 0.3-0.9 s on this 2-core machine; twice that leaves room for a busy one). Every start
# runs to convergence with the whole time limit as its deadline, so the plan depends on
# the seed and the time limit, not on the machine's load, unless the limit cuts a start
# short (reported as stopped early).
START_UNITS = 1000
MAX_STARTS = 16
START_SECONDS = 1.0
# Lumpy layers: while no start has met the tolerance (or come within the slack of a
# forced bound), more starts follow, up to
# MAX_LUMPY_STARTS and as many as fit in half the time limit at
# LUMPY_START_SECONDS_PER_UNIT each (measured: 2-3.5 ms a unit on this 2-core machine).
# A longer time limit therefore buys more tries where balance is a matter of luck:
# Rhode Island ZCTAs -> 8 met ±2 % with one seed of six after ten starts, with five
# after forty.
MAX_LUMPY_STARTS = 40
LUMPY_START_SECONDS_PER_UNIT = 0.005
# Share of the progress bar the starts that always run fill when extra ones may follow.
EXTRA_STARTS_FROM = 0.7
# Where the progress bar stands when narrowing the worst deviation (`_narrow`) begins;
# the starts fill what comes before.
NARROW_FROM = 0.9
# Share of the time limit for planning again at the balance reached, when a proof showed
# the tolerance out of reach (`_replan_at_balance`).
REPLAN_TIME_SHARE = 0.5
# Share of the progress bar each stage fills (allocation dominates a carve's start).
_ALLOCATION_END = 0.35
_REPAIR_END = 0.4
# Spread weight while reaching the bands, then while polishing compactness: a strong
# pull to the target lets weight flow through chains of territories; once every band
# is met it mostly gets in the way of compactness.
_SPREAD_BALANCING = 0.5
_SPREAD_POLISHING = 0.05
# ...and while spending the cap a give-back frees (`exchange_moves`): a strong pull to
# the target puts first the moves that balance most (US rebalance: 4.2 % against 4.8 %
# with the balancing weight).
_SPREAD_EXCHANGING = 2.0
# Tabu walks per phase at most: a bound on a start's work, so no start runs long (on
# lumpy layers some went on for seconds finding crumbs); twenty left every benchmark
# plan as it was with fifty.
_MAX_WALKS = 20
# ...per step of narrowing the worst deviation (`narrow_worst`), which takes many, and
# in the polish after it (more walks found nothing there on the US rebalance).
_NARROW_WALKS = 2
_POLISH_NARROWED_WALKS = 1
_CUT, _SETTLED, _STALLED = "cut", "settled", "stalled"  # how `_descend` ended
# A balancing walk that lowers the band violation by less than this share of it ends
# the phase: the bands are out of reach and narrowing the worst deviation does better
# (US counties by ZIP codes and population: six walks of 2 s each took it from 13.51 to
# 13.42 without changing the worst territory).
_STALLED_SHARE = 0.01
TABU_TENURE_BASE = 8
# A rebalance that misses the tolerance with less than this share of its move cap left
# (`_cap_spent`) blames the cap, and when this many seconds of the time limit are left
# (and UNCAPPED_CHECK_TIME_FACTOR times what it took) it finds what share of moves the
# tolerance takes without one (`_cap_notes`). The rebalance without the cap takes about
# as long as the capped one on US counties (1.1–1.6 s), but on the 33,300-cell layer
# over 60 s against 30: there the check was always cut short, doubling the wait.
CAP_LEFT_SHARE = 0.1
UNCAPPED_CHECK_MIN_S = 0.5
UNCAPPED_CHECK_TIME_FACTOR = 2.0
# A capped rebalance's second start (ejection chains) ends this share of the time limit
# before it, so narrowing the worst deviation (`_narrow`) has time where the chains are
# slow: 33,300 cells with their eastern fifth +30 % under a 10 % cap, 60 s, before
# CHAINS_MAX_UNITS kept the chains off such layers: the chains took 37 s and left none,
# 21.9 % off; with the reserve, 14.8 %. US counties finish long before either deadline.
NARROW_RESERVE_SHARE = 0.25
# Above this many units a capped rebalance makes no second start (ejection chains): one
# chain carries a unit a hop, a sliver of a territory with hundreds of units, so the
# chains take most of the time limit and leave narrowing little (33,300 cells, eastern
# fifth +30 %, 10 % cap, 60 s: 12.9 % with the chains start, 11.8 % in 47 s without).
CHAINS_MAX_UNITS = 10_000
# Rounds of narrowing the worst deviation, each from the last round's polished plan, while
# they lower it (`_narrow`). The 33,300-cell case above: 14.8 % after one round, 12.9 %
# after two (the limit cut the second); US counties: the second round finds nothing.
NARROW_ROUNDS = 4
# ...a round must lower the worst relative deviation by this much to count (running
# float totals differ by ~1e-12 between visits of the same plan).
NARROW_GAIN = 1e-6
# After a carve's start meets the bands (on a lumpy layer: after any start), allocate
# again around its plan's centres (REALLOCATE_EXACT balanced LP rounds), repair and
# search, at most REALLOCATE_ROUNDS times while that gives a better plan: rounding
# and repair land each start a little off the centres its search ends at (US counties
# -> 60, median of 30 seeds: 120.4 km without, 119.6 with two rounds; four gave the
# same).
REALLOCATE_ROUNDS = 2
REALLOCATE_EXACT = 3
# Above this many units, allocations solve one exact LP round instead of several: each
# takes over a second there, and with hundreds of units a territory the priced rounds
# already leave the centres near where an exact balance wants them (33,300 ZIP-like
# cells -> 100, seeds 0-2 at a 10 s limit: 92.1 km with one round against 92.45 with
# three, which left less time to search; alike at 30 s).
LARGE_LP_UNITS = 10_000
# An uncapped rebalance starts from a balanced allocation around the current
# territories in which staying costs this much less, times the disruption weight, for
# a unit of average disruption (`_stay_bonus`; a typical unit's distance costs about
# 1). US counties -> 60 with the South Atlantic +30 %, within ±2 %: 124.5 km with
# 13.6 % of the counties moved, against 131.3 km and 15.4 % by flows from the current
# plan; a bonus of 0.5 moved 15.1 %, 1.5 gave 129.9 km. Flows from the current plan
# are the second start, and the better plan is kept (see `_initial_plan`).
STAY_BONUS = 1.0
# Greedy k-means++ (each centre the best of 2 + ln K draws) on layers that are not
# lumpy, where one start or a few carry the carve (US counties -> 60, median of 30
# seeds: 119.6 km against 120.5). Lumpy layers keep single draws: their many starts
# gain from variety (Rhode Island ZCTAs by accounts: 7.2 km against 7.5 greedy).
GREEDY_SEEDING = True
# A tabu walk takes this many moves per unit (at least WALK_MIN_STEPS) before it
# returns to the best plan it saw.
WALK_STEPS_PER_UNIT = 0.1
WALK_MIN_STEPS = 60


def optimise(
    problem: OptimiseProblem,
    params: OptimiseParams,
    *,
    progress: Progress = NO_PROGRESS,
    stop: Stop = NEVER,
    replan: bool = True,
) -> OptimiseResult:
    """Carve or rebalance territories: balanced, contiguous, compact.

    Parameters
    ----------
    problem
        The snapshot to plan (never modified).
    params
        Number of territories, mode, tolerance, locks, seed and time limit.
    progress
        Called as ``progress(fraction, message)`` along the way.
    stop
        Polled often; when it returns True the best plan so far is returned.
    replan
        Whether a carve whose tolerance a proof showed out of reach plans again at the
        balance it reached (`_replan_at_balance`); that second run does not.

    Returns
    -------
    OptimiseResult
        The plan and its statistics; ``messages`` says what could not be met and why.

    Notes
    -----
    A carve of a problem with an existing plan (``problem.current``) comes out
    labelled: unless centres are anchored at the reps' homes, its codes are permuted
    so each territory keeps the code of the existing territory it overlaps most
    (only between equal target shares, never moving a territory that holds locked
    units; see `terrmap.optimize.labels.existing_labels`). With fewer territories
    than before, codes are in the order of the existing territories they match.

    A rebalance without a move cap starts from a balanced allocation around the
    current territories that prefers to keep units where they are
    (`terrmap.optimize.allocation.allocate_near_plan`), made contiguous, and a second
    from the current plan; the better is kept (balance first, then compactness
    relative to the current plan's plus the disruption weight times the share moved).
    A rebalance moves load along the territory adjacency graph, from over- to
    underloaded territories (`terrmap.optimize.rebalance`), then lets the local search
    settle balance and compactness; the move cap is never exceeded. Under a cap both
    starts begin from the current plan, the second (ejection chains instead of flows,
    `terrmap.optimize.chains`) only if the first misses a band, on layers of at most
    CHAINS_MAX_UNITS units, ending NARROW_RESERVE_SHARE of the limit early.

    A carve of a lumpy layer (fewer than LUMPY_UNITS units a territory) whose starts
    miss the tolerance runs an exhaustive search (`terrmap.optimize.settle`): a
    contiguous plan it finds within the tolerance is polished like a start's; a bound it
    proves (no contiguous plan is closer) is reported as the forced bound, and extra
    starts follow only while the best plan is not within the slack of it. After such a
    proof the carve runs again, asked for the balance its best plan reached, and that
    plan is kept when it is as balanced and more compact (`_replan_at_balance`).

    A carve's start that meets the bands (on a lumpy layer, any start) allocates again
    around its searched plan's centres, repairs and searches again, and keeps that plan
    when it is better: more compact, or on a lumpy layer closer to the bands.

    When the best plan still misses a band, its worst deviation is narrowed step by
    step (`terrmap.optimize.narrow`): the bands are out of reach, so the plan should at
    least have no territory far out.
    """
    started = time.perf_counter()
    deadline = started + params.time_limit_s
    model = build_model(problem, params)
    narrowed_to_cap = False
    halted = [False]
    progress = _clocked(progress, started, params.time_limit_s)

    def should_stop() -> bool:
        # Remembers that the deadline or the caller cut something short, whichever
        # phase noticed it, so `stopped_early` is reported truthfully.
        if halted[0] or time.perf_counter() > deadline or stop():
            halted[0] = True
        return halted[0]

    progress(0.0, "Preparing")
    starts, most = _starts(model, params)
    best_codes, best_key, cut_short, proved = None, None, False, 0.0

    def consider(codes: np.ndarray) -> None:
        nonlocal best_codes, best_key
        key = _plan_key(problem, model, params, codes)
        if best_key is None or key < best_key:
            best_codes, best_key = codes, key

    for run in range(most):
        if run and (should_stop() or (_capped(model) and best_key[0] <= 0)):
            break  # an uncapped rebalance's two starts both run: see `_initial_plan`
        share = tuple(NARROW_FROM * end for end in _progress_share(run, starts, most))
        if run == starts and not meets_tolerance(problem, best_codes, params):
            # Extra starts follow on a lumpy layer: first settle whether they can help.
            middle = 0.5 * (share[0] + share[1])
            proved, found, stopped = _settle(
                problem,
                params,
                model,
                best_codes,
                deadline,
                should_stop,
                progress,
                (share[0], middle),
            )
            cut_short |= stopped
            if found is not None:
                consider(found)
            share = (middle, share[1])
        if run >= starts and meets_tolerance(problem, best_codes, params, proved):
            break  # extra starts are only for a tolerance still missed
        # Every start has the whole time limit as its deadline (see START_SECONDS); a
        # rebalance's second start (ejection chains) gets what the first left.
        start_deadline = deadline
        if run and _capped(model):
            start_deadline -= NARROW_RESERVE_SHARE * params.time_limit_s
            if time.perf_counter() >= start_deadline:
                break
        codes, stopped = _one_start(
            problem, params, model, run, start_deadline, should_stop, progress, share
        )
        cut_short |= stopped
        consider(codes)
    if best_key[0] > 0 and not should_stop():
        # The bands are out of reach: narrow the worst deviation instead.
        search = _new_search(problem, params, model, best_codes, deadline, should_stop)
        narrowed_to_cap = _narrow(search, params, progress)
        cut_short |= search.stopped
        consider(search.codes.copy())
    if replan and proved > params.tolerance_pct and params.mode == "carve" and not should_stop():
        # The layer proved the tolerance out of reach, and plans as balanced as the best
        # one differ in compactness: plan again as if its balance had been asked for.
        again = _replan_at_balance(problem, params, best_codes, should_stop, progress)
        cut_short |= again.stopped_early
        codes = np.asarray(again.codes, dtype=np.int64)
        key = _plan_key(problem, model, params, codes)
        if key[0] <= best_key[0] and key[2] < best_key[2]:
            best_codes, best_key = codes, key
    notes = list(model.notes)
    if best_key[0] > 0 and (halted[0] or cut_short) and _timed_out(deadline, stop):
        notes.append(
            f"The time limit ({params.time_limit_s:g} s) ended the search before it "
            f"settled; a longer limit may bring the plan within ±{params.tolerance_pct:g} %."
        )
    if best_key[0] > 0 and not proved:
        spent = _cap_spent(model, best_codes)
        if spent or narrowed_to_cap:
            notes += _cap_notes(problem, params, model, deadline, stop, progress, spent)
        else:
            notes += _lumpy_units_notes(problem, model, params)
    progress(1.0, "Done")
    best_codes, _ = existing_labels(problem, params, best_codes, pinned=_pinned(model))
    return summarise(
        problem,
        best_codes,
        params,
        elapsed_s=time.perf_counter() - started,
        stopped_early=halted[0] or cut_short,
        notes=tuple(notes),
        proved_bound_pct=proved,
    )


def _replan_at_balance(
    problem: OptimiseProblem,
    params: OptimiseParams,
    codes: np.ndarray,
    should_stop,
    progress: Progress,
) -> OptimiseResult:
    """A carve asked for the worst deviation of ``codes`` (on any metric), with
    REPLAN_TIME_SHARE of the time limit (the outer deadline still applies). On Delaware's
    ZCTAs (±2 % proved out of reach, 3.62 % reached) the narrowed plan is 9.88 km and
    this one 9.75, against a proved optimum of 9.74 at that balance."""
    targets = territory_targets(problem, params.territories)
    totals = totals_by_territory(problem, codes, params.territories)
    with np.errstate(divide="ignore", invalid="ignore"):
        deviation = np.where(targets > 0, 100.0 * np.abs(totals / targets - 1.0), 0.0)
    reached = replace(
        params,
        tolerance_pct=float(deviation.max()),
        time_limit_s=REPLAN_TIME_SHARE * params.time_limit_s,
    )

    def report(fraction: float, message: str) -> None:
        progress(NARROW_FROM + (1.0 - NARROW_FROM) * fraction, "Improving compactness")

    return optimise(problem, reached, progress=report, stop=should_stop, replan=False)


def _clocked(progress: Progress, started: float, limit_s: float) -> Progress:
    """``progress`` never behind the clock nor going back: a start that takes the whole
    time limit (a rebalance of a national ZIP layer) still carries the bar to
    NARROW_FROM, where its own share would have left it half-way until "Done"."""
    shown = [0.0]

    def report(fraction: float, message: str) -> None:
        elapsed = _time_share(started, started + limit_s)
        by_clock = math.floor(100 * NARROW_FROM * elapsed) / 100  # whole percents: starts at 0
        shown[0] = max(shown[0], fraction, by_clock)
        progress(shown[0], message)

    return report


def _time_share(start: float, end: float) -> float:
    """The share (0–1) of the time from ``start`` to ``end`` that has passed."""
    return min((time.perf_counter() - start) / max(end - start, 1e-9), 1.0)


def _capped(model: Model) -> bool:
    """A rebalance with a move cap."""
    return model.max_moved is not None


def _timed_out(deadline: float, stop: Stop) -> bool:
    """The deadline passed, and the caller did not ask to stop (a cancel is no reason
    to suggest more time)."""
    return time.perf_counter() > deadline and not stop()


def _pinned(model: Model) -> np.ndarray:
    """Territories that must keep their code: closed ones and those holding fixed units."""
    held = np.bincount(model.start[model.fixed & (model.start >= 0)], minlength=model.k) > 0
    return model.closed | held


def _cap_spent(model: Model, codes: np.ndarray) -> bool:
    """Whether a rebalance has used (nearly) all of its move cap: what is left is under
    CAP_LEFT_SHARE of it, or under a typical unit's share (a cap of 1 % of 150 units
    allows one move)."""
    if model.max_moved is None or model.current is None:
        return False
    changed = (model.current >= 0) & (codes != model.current)
    left = model.max_moved - float(model.disruption[changed].sum())
    shares = model.disruption[(model.current >= 0) & (model.disruption > 0)]
    typical = float(np.median(shares)) if len(shares) else 0.0
    return left < max(CAP_LEFT_SHARE * model.max_moved, typical)


def _cap_notes(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    deadline: float,
    stop: Stop,
    progress: Progress,
    spent: bool = True,
) -> list[str]:
    """Why a capped rebalance missed the tolerance: its cap is ``spent``, or it was
    spent while the worst deviation was narrowed and the polish after that gave moves
    back (a 33,300-cell layer: the narrowing ran into the cap at 10 %, the plan moves
    6.4 %). In the time left, the same rebalance without the cap shows what share of
    moves the tolerance takes, so the user knows what cap to allow (or that the cap is
    not the only limit)."""
    tolerance = f"±{params.tolerance_pct:g} %"
    name = problem.disruption_name
    cap = f"at most {params.max_moved_pct:g} % of the {name} may change owner"
    if spent:
        note = f"The move cap is spent ({cap}) and keeps the plan from {tolerance}"
    else:
        note = (
            f"The move cap ({cap}) keeps the plan from {tolerance} (narrowing the worst "
            f"deviation spent it; moves that did not help were given back)"
        )
    left = deadline - time.perf_counter()
    used = params.time_limit_s - left
    if left < max(UNCAPPED_CHECK_MIN_S, UNCAPPED_CHECK_TIME_FACTOR * used) or stop():
        # Too little time to finish: the check would only be cut short, and the user
        # would wait for nothing.
        return [note + "."]
    message = "Checking what the move cap costs"
    progress(NARROW_FROM + 0.5 * (1 - NARROW_FROM), message)
    free = optimise(
        problem,
        replace(params, max_moved_pct=None, time_limit_s=left),
        progress=lambda fraction, _m: progress(
            NARROW_FROM + (0.5 + 0.5 * fraction) * (1 - NARROW_FROM), message
        ),
        stop=stop,
    )
    if free.stopped_early:
        return [note + "."]
    if free.tolerance_met:
        return [
            f"{note}: without a cap, {tolerance} is met by moving "
            f"{free.moved_share_pct:.1f} % of the {name}."
        ]
    worst = max(b.max_abs_deviation_pct for b in free.balance)
    alone = f"{note}; but even without a cap the most balanced plan found is {worst:.1f} % off."
    return [alone, *_lumpy_units_notes(problem, model, params)]


def _lumpy_units_notes(problem: OptimiseProblem, model: Model, params: OptimiseParams) -> list[str]:
    """Why the bands were missed when no single unit forces it: units are coarse.

    With a handful of units per territory, each a sizeable share of a target, whole
    contiguous groups rarely add up to within the tolerance; say so plainly.
    """
    open_codes = model.open_territories
    free = ~model.fixed
    if not free.any() or not len(open_codes):
        return []
    targets = np.where(model.targets > 0, model.targets, 1.0)[open_codes].mean(axis=0)
    biggest = 100.0 * (model.weights[free] / targets).max(axis=0)
    per_territory = free.sum() / len(open_codes)
    notes = []
    for j, name in enumerate(problem.metric_names):
        if biggest[j] > 4 * params.tolerance_pct:
            notes.append(
                f"{name}: units are coarse here (about {per_territory:.0f} per territory, "
                f"the largest {biggest[j]:.0f} % of a territory's target), so whole, "
                f"connected groups of them may not come within ±{params.tolerance_pct:g} %; "
                f"this is the most balanced plan found."
            )
    return notes


def _starts(model: Model, params: OptimiseParams) -> tuple[int, int]:
    """How many independent starts (k-means++ seeds) a carve makes: always, and at
    most (the extra ones only while every start so far missed the tolerance).

    Small problems are cheap and lumpy, so several starts find markedly better plans;
    a large one gets one start more only when a single start is quick.
    """
    if params.mode == "rebalance":
        # Two starts (see `_initial_plan`); under a cap the second runs only while the
        # first misses a band, and not on large layers (CHAINS_MAX_UNITS).
        if _capped(model) and model.n > CHAINS_MAX_UNITS:
            return 1, 1
        return 2, 2
    fit = int(params.time_limit_s // START_SECONDS)
    starts = int(np.clip(min(START_UNITS // max(model.n, 1), fit), 1, MAX_STARTS))
    if not _lumpy(model):
        return starts, starts
    per_start = LUMPY_START_SECONDS_PER_UNIT * max(model.n, 1)
    most = int(min(0.5 * params.time_limit_s / per_start, MAX_LUMPY_STARTS))
    # At least one extra turn: the exhaustive search (`_settle`) runs at its start.
    return starts, max(starts + 1, most)


def _progress_share(run: int, starts: int, most: int) -> tuple[float, float]:
    """The stretch of the progress bar start ``run`` fills.

    The starts that always run fill it all when no extra ones may follow, else the
    first EXTRA_STARTS_FROM of it; the extra ones, which run only while the tolerance
    is missed, fill the rest. So a run that needs no extra start ends near where it
    would have without them, not a quarter of the way along.
    """
    fill = 1.0 if most == starts else EXTRA_STARTS_FROM
    if run < starts:
        return fill * run / starts, fill * (run + 1) / starts
    extra, room = run - starts, most - starts
    return fill + (1 - fill) * extra / room, fill + (1 - fill) * (extra + 1) / room


def _lumpy(model: Model) -> bool:
    """Fewer than LUMPY_UNITS units per open territory."""
    return model.n < LUMPY_UNITS * len(model.open_territories)


def _one_start(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    run: int,
    deadline: float,
    should_stop,
    progress: Progress,
    share: tuple[float, float],
) -> tuple[np.ndarray, bool]:
    """Allocation (or the current plan), contiguity repair and local search, once;
    then, for a carve, allocation again around the plan found (`_reallocate`).

    Returns the plan and whether the search was cut short before it converged.
    """
    reached = [0.0]

    def report(fraction: float, message: str) -> None:
        # Never backwards: each reallocation round's search starts its stretch again.
        reached[0] = max(reached[0], fraction)
        progress(share[0] + (share[1] - share[0]) * reached[0], message)

    began = time.perf_counter()
    codes = _initial_plan(problem, params, model, run, should_stop, report)
    allocation_s = time.perf_counter() - began
    report(_ALLOCATION_END, "Making territories contiguous")
    codes = repair_contiguity(model, problem.adjacency, codes)
    report(_REPAIR_END, "Balancing territories")
    began = time.perf_counter()  # the searches' progress counts from here
    codes, stopped = _search(
        problem,
        params,
        model,
        codes,
        deadline,
        should_stop,
        report,
        chains=run > 0 and _capped(model),
        since=began,
    )
    if params.mode == "carve" and not stopped:
        codes, stopped = _reallocate(
            problem, params, model, codes, deadline, should_stop, report, (began, allocation_s)
        )
    return codes, stopped


def _reallocate(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    codes: np.ndarray,
    deadline: float,
    should_stop,
    report,
    timing: tuple[float, float],
) -> tuple[np.ndarray, bool]:
    """Allocate again around the searched plan's centres, repair and search, while
    that finds a better plan by `_plan_key` (at most REALLOCATE_ROUNDS times).

    ``timing = (since, allocation_s)``: the searches' progress counts from ``since``
    (when the start's first search began), so the bar keeps moving through the rounds
    instead of waiting at one place; and a round starts only if at least
    ``allocation_s`` (what the start's own allocation took) is left before the deadline,
    since an allocation cannot stop halfway (33,300 units: over a second past a 12 s
    limit before). A round skipped so counts as cut short.
    """
    since, allocation_s = timing
    best_key = _plan_key(problem, model, params, codes)
    if best_key[0] > 0 and not _lumpy(model):
        # Bands missed on a layer with many units a territory (two metrics that pull
        # apart): the narrowing after the starts works on balance, and plans that trade
        # compactness for a little less violation only made its start worse (US counties
        # by ZIPs and population: 143 km against 141). On a lumpy layer meeting the band
        # is a matter of luck, and each allocation is another try (Rhode Island ZCTAs,
        # median of ten seeds: 8.35 km against 8.6, every seed within ±2 %).
        return codes, False
    centres = plan_centres(model, codes)
    for _ in range(REALLOCATE_ROUNDS):
        if time.perf_counter() + allocation_s > deadline:
            return codes, True
        report(0.0, "Allocating units to the plan's centres")
        trial, _ = allocate(model, centres, _rounds(model, (0, REALLOCATE_EXACT)), should_stop)
        trial = repair_contiguity(model, problem.adjacency, trial)
        trial, stopped = _search(
            problem, params, model, trial, deadline, should_stop, report, since=since
        )
        if stopped:
            return codes, True
        key = _plan_key(problem, model, params, trial)
        if not key < best_key:
            break
        codes, best_key = trial, key
        centres = plan_centres(model, codes, centres)
    return codes, False


def _settle(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    codes: np.ndarray,
    deadline: float,
    should_stop,
    progress: Progress,
    share: tuple[float, float],
) -> tuple[float, np.ndarray | None, bool]:
    """Exhaustive search on a lumpy layer (`settle_tolerance`), and a local search from
    the plan it finds, when that plan is free to take (a carve without locks or homes).

    Returns the proved bound (0 if none), the polished plan or None, and whether the
    time limit or the caller cut it short.
    """

    def report(fraction: float, message: str) -> None:
        progress(share[0] + (share[1] - share[0]) * fraction, message)

    report(0.0, "Checking whether the tolerance can be met")
    settled = settle_tolerance(problem, params, codes, should_stop)
    if settled is None:
        return 0.0, None, False
    free = params.mode == "carve" and not params.anchor_homes
    free = free and not model.fixed.any() and not model.closed.any()
    if settled.codes is None or not free:
        return settled.impossible_pct, None, should_stop()
    report(_REPAIR_END, "Balancing territories")
    found, stopped = _search(problem, params, model, settled.codes, deadline, should_stop, report)
    return settled.impossible_pct, found, stopped


def _plan_key(
    problem: OptimiseProblem, model: Model, params: OptimiseParams, codes: np.ndarray
) -> tuple[float, float, float]:
    """Order of plans across starts: the smallest worst band violation (what the
    balance table shows first), then the least total violation, then the reported
    compactness."""
    totals = np.zeros_like(model.targets)
    np.add.at(totals, codes, model.weights)
    targets = np.where(model.targets > 0, model.targets, 1.0)
    excess = np.maximum(totals - model.upper, 0) + np.maximum(model.lower - totals, 0)
    relative = (excess / targets)[~model.closed]
    return (
        round(float(relative.max(initial=0.0)), 9),
        round(float(relative.sum()), 9),
        _plan_cost(problem, model, params, codes),
    )


def _plan_cost(
    problem: OptimiseProblem, model: Model, params: OptimiseParams, codes: np.ndarray
) -> float:
    """The reported compactness; in a rebalance, relative to the current plan's, plus
    the disruption weight times the share moved (the local search's trade-off)."""
    anchored = params.anchor_homes
    km = compactness_km(problem, codes, territory_centres(problem, codes, model.k, anchored))
    if params.mode != "rebalance" or model.current is None:
        return km
    current = np.maximum(model.current, 0)
    before = compactness_km(problem, current, territory_centres(problem, current, model.k, False))
    changed = (model.current >= 0) & (codes != model.current)
    moved = float(model.disruption[changed].sum())
    return km / max(before, 1e-9) + params.disruption_weight * moved


def _initial_plan(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    run: int,
    should_stop,
    progress,
) -> np.ndarray:
    if params.mode == "rebalance":
        # Uncapped: a balanced allocation that prefers to keep units where they are,
        # then flows from the current plan; the better by `_plan_key` (balance, then
        # compactness and disruption) is kept: the allocation does better where much
        # load has to travel, flows where little has (the sample at ±5 %). Under a
        # move cap both start from the current plan, flows, then (only if they miss a
        # band) ejection chains, since flows may spend the cap before the bands are met.
        if run == 0 and not _capped(model):
            progress(0.1, "Allocating units around the current territories")
            return allocate_near_plan(model, model.start, _stay_bonus(model, params))
        return model.start.copy()
    progress(0.05, "Placing territory centres")
    rng = np.random.default_rng([params.seed, run])
    # See GREEDY_SEEDING.
    trials = 1 if _lumpy(model) or not GREEDY_SEEDING else 2 + int(np.log(max(model.k, 1)))
    centres = initial_centres(model, rng, trials)
    message = "Allocating units to centres"
    progress(0.1, message)
    rounds = VARIED_ROUNDS if run and _lumpy(model) else LLOYD_ROUNDS

    def done(fraction: float) -> None:
        progress(0.1 + (_ALLOCATION_END - 0.1) * fraction, message)

    codes, _ = allocate(model, centres, _rounds(model, rounds), should_stop, done)
    return codes


def _stay_bonus(model: Model, params: OptimiseParams) -> np.ndarray:
    """``(n,)`` what staying is worth to each unit in `allocate_near_plan`: STAY_BONUS
    times the disruption weight, for a unit of average disruption (one without
    accounts, when accounts measure disruption, is free to move)."""
    counted = model.disruption[model.disruption > 0]
    if not len(counted):
        return np.zeros(model.n)
    return STAY_BONUS * params.disruption_weight * model.disruption / float(counted.mean())


def _rounds(model: Model, rounds: tuple[int, int]) -> tuple[int, int]:
    """``(priced, exact)`` allocation rounds, with one exact round on a large layer
    (see LARGE_LP_UNITS)."""
    priced, exact = rounds
    return (priced, min(exact, 1)) if model.n > LARGE_LP_UNITS else rounds


def _search(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    codes: np.ndarray,
    deadline: float,
    stop: Stop,
    progress: Progress,
    *,
    chains: bool = False,
    since: float | None = None,
) -> tuple[np.ndarray, bool]:
    """Reach the bands (strong pull to target), then polish compactness (weak pull).

    A rebalance starts with flows (`balance_by_flows`), or with ejection chains
    (`balance_by_chains`) when ``chains``. Each phase alternates greedy descent with
    tabu walks that restart from the best plan seen, until a walk finds nothing
    better or the time is up. Progress is the share of the time from ``since`` (default:
    now) to the deadline that has passed.
    """
    search = _new_search(problem, params, model, codes, deadline, stop)
    start = time.perf_counter() if since is None else since
    walk = _walk_steps(model)

    def report(message: str) -> None:
        fraction = _time_share(start, deadline)
        progress(_REPAIR_END + (1 - _REPAIR_END) * fraction, message)

    converged = True
    if params.mode == "rebalance":
        report("Moving load towards underloaded territories")
        if chains:
            balance_by_chains(search)
        else:
            balance_by_flows(search)
    best_codes, best_key = search.codes.copy(), _phase_key(search)
    for spread, message in (
        (_SPREAD_BALANCING, "Balancing"),
        (_SPREAD_POLISHING, "Improving compactness"),
    ):
        search.spread_weight = spread
        outcome = _descend(search, walk, report, message)
        converged = outcome != _CUT
        if params.mode == "rebalance" and spread == _SPREAD_BALANCING:
            converged = _alternate_flows(search, walk, report) and converged
        key = _phase_key(search)
        if key < best_key:
            best_codes, best_key = search.codes.copy(), key
        if search.out_of_time() or outcome == _STALLED:
            break  # stalled: polishing would only crawl too; `_narrow` takes over
    if params.mode == "rebalance":
        # Last, so that nothing after it trades the worst territory's gain back for the
        # total's (the local search weighs the total).
        search.reset(best_codes)
        search.spread_weight = _SPREAD_EXCHANGING
        if exchange_moves(search):
            best_codes = search.codes.copy()
    return best_codes, not converged or search.stopped


def _new_search(
    problem: OptimiseProblem,
    params: OptimiseParams,
    model: Model,
    codes: np.ndarray,
    deadline: float,
    stop: Stop,
) -> LocalSearch:
    """A local search over ``codes`` with the run's disruption weight and tabu tenure."""
    search = LocalSearch(
        model,
        problem.adjacency,
        codes,
        disruption_weight=params.disruption_weight,
        deadline=deadline,
        stop=stop,
    )
    search.tenure = TABU_TENURE_BASE + int(np.random.default_rng(params.seed).integers(0, 4))
    return search


def _walk_steps(model: Model) -> int:
    """Moves a tabu walk takes before returning to the best plan it saw."""
    return max(WALK_MIN_STEPS, int(WALK_STEPS_PER_UNIT * model.n))


def _narrow(search: LocalSearch, params: OptimiseParams, progress: Progress) -> bool:
    """Narrow the search's worst deviation (`narrow_worst`), then polish compactness
    within the bands that reached; under a cap, give-backs (`exchange_moves`) first
    spend what they free on the bands as they are.

    Runs on the starts' best plan, when that plan misses a band (narrowing after every
    start took twice the time for the same 3.8 % on the US rebalance), and again from
    the polished plan while that lowers the worst deviation, up to NARROW_ROUNDS times:
    the polish reshapes borders and frees cap, so a narrowing that had stalled can go
    on. Returns whether a narrowing ended with the move cap spent (the polish may give
    moves back after it).
    """
    walk = _walk_steps(search.model)
    model_band = search.band.copy()
    began = time.perf_counter()

    def report(message: str) -> None:
        # Through the rest of the bar by the time left: rounds can take half a minute.
        elapsed = _time_share(began, search.deadline)
        progress(NARROW_FROM + (1.0 - NARROW_FROM) * 0.99 * elapsed, message)

    message = "Narrowing the worst deviation"
    best_worst, best_codes = np.inf, search.codes.copy()
    to_cap = False
    for _ in range(NARROW_ROUNDS):
        search.set_band(model_band)
        if params.mode == "rebalance":
            search.spread_weight = _SPREAD_EXCHANGING
            exchange_moves(search)
        search.spread_weight = _SPREAD_BALANCING
        narrow_worst(search, lambda: _descend(search, walk, report, message, _NARROW_WALKS))
        to_cap |= _cap_spent(search.model, search.codes)
        search.spread_weight = _SPREAD_POLISHING
        _descend(search, walk, report, "Improving compactness", _POLISH_NARROWED_WALKS)
        worst = float(np.abs(search.deviations()[~search.model.closed]).max())
        if worst > best_worst - NARROW_GAIN:
            break  # this round found nothing: the last round's plan stands
        best_worst, best_codes = worst, search.codes.copy()
        if search.out_of_time():
            break
    search.reset(best_codes)
    search.set_band(model_band)
    return to_cap


def _descend(search: LocalSearch, walk: int, report, message: str, walks: int = _MAX_WALKS) -> str:
    """Greedy descent + tabu walks from the best plan, until a walk stops helping.

    Returns `_CUT` (out of time), `_STALLED` (balancing gains only crumbs: the bands
    look out of reach) or `_SETTLED`.
    """
    balancing = search.spread_weight > _SPREAD_POLISHING
    _improve(search)
    best_key = _key(search)
    for _ in range(walks):
        if search.out_of_time():
            return _CUT
        report(message)
        best = search.tabu_walk(walk)
        search.reset(best)
        _improve(search)
        if balancing and search.violation() == 0:
            return _SETTLED  # bands met: compactness is the next phase's job
        key = _key(search)
        if not key < best_key:
            return _SETTLED
        if balancing and key[0] > (1 - _STALLED_SHARE) * best_key[0]:
            return _STALLED
        best_key = key
    return _SETTLED


def _alternate_flows(search: LocalSearch, walk: int, report) -> bool:
    """Rebalance: while a band is missed, flows and local search take turns.

    The local search settles what a round of flows left uneven, which changes the
    borders the next round can use; this goes on until the bands are met, a round
    no longer lowers the band violation, or the time is up. False if cut short.
    """
    best = search.violation()
    while best > 0:
        if search.out_of_time():
            return False
        report("Moving load towards underloaded territories")
        if not balance_by_flows(search):
            return True
        _descend(search, walk, report, "Balancing")
        now = search.violation()
        if now >= best - 1e-9:
            return True
        best = now
    return True


def _improve(search: LocalSearch) -> None:
    """Greedy single moves, then swaps where single moves are blocked by the bands."""
    search.improve()
    if USE_SWAPS:
        improve_with_swaps(search)


def _phase_key(search: LocalSearch) -> tuple[float, float, float]:
    """Which phase's plan a start keeps: the smallest worst band violation first, as
    `_plan_key` orders the starts. By total violation alone, the polish of a capped
    rebalance of a 33,300-cell layer that missed its bands won, having taken the worst
    territory from 11 % to 23 % off for a slightly smaller total."""
    worst = float(search.outside_band().max(initial=0.0))
    return (round(worst, 9), *_key(search, _SPREAD_POLISHING))


def _key(search: LocalSearch, spread: float | None = None) -> tuple[float, float]:
    """Best-plan order: the smallest band violation, then the lowest objective."""
    return round(search.violation(), 9), search.objective(spread)
