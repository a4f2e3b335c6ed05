"""Read Solomon VRPTW instances (``.txt``) and score routes on them.

Depot is customer 0. Travel time equals the real-valued Euclidean distance, and the best-known
solutions are scored on that real distance. PyVRP needs integers, so distances are scaled by
``SCALE``: durations are rounded up (a plan feasible on the integers is feasible on the reals)
and distances to the nearest integer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from terrmap.errors import InputError
from terrmap.routing.tsplib import read_lines
from terrmap.routing.vrp import VrpClient, VrpProblem, VrpVehicle

SCALE = 100


@dataclass(frozen=True)
class SolomonInstance:
    """Customers (row 0 is the depot) with demand, ready time, due date and service time."""

    name: str
    vehicles: int
    capacity: int
    coords: np.ndarray
    demand: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray

    def euclidean(self) -> np.ndarray:
        """Real-valued distances between all customers and the depot."""
        d = self.coords[:, None, :] - self.coords[None, :, :]
        return np.hypot(d[..., 0], d[..., 1])

    def vrp(self, *, fleet_first: bool = False) -> VrpProblem:
        """The instance as an integer VRP problem (distances scaled by SCALE).

        The objective is the total distance, or with ``fleet_first`` the number of vehicles
        and then the distance, as the best-known solutions are ranked.
        """
        real = self.euclidean() * SCALE
        clients = tuple(
            VrpClient(
                location=i,
                service=round(self.service[i] * SCALE),
                tw_early=round(self.ready[i] * SCALE),
                tw_late=round(self.due[i] * SCALE),
                demand=int(self.demand[i]),
            )
            for i in range(1, len(self.coords))
        )
        vehicle = VrpVehicle(
            tw_early=round(self.ready[0] * SCALE),
            tw_late=round(self.due[0] * SCALE),
            capacity=self.capacity,
            count=self.vehicles,
            fixed_cost=int(real.sum()) if fleet_first else 0,
        )
        return VrpProblem(
            distance=np.rint(real).astype(np.int64),
            duration=np.ceil(real - 1e-9).astype(np.int64),
            depot=0,
            vehicles=(vehicle,),
            clients=clients,
        )

    def distance(self, routes: list[list[int]]) -> float:
        """Real total distance of ``routes`` (customer numbers, depot excluded)."""
        d = self.euclidean()
        return float(sum(d[np.asarray([0, *r]), np.asarray([*r, 0])].sum() for r in routes if r))


def read_solomon(path: str | Path) -> SolomonInstance:
    """Read a Solomon ``.txt`` file.

    Raises
    ------
    InputError
        The file is missing or not in Solomon's layout (the message names the line).
    """
    path = Path(path)
    lines = read_lines(path)
    vehicles, capacity = _vehicle_line(lines, path)
    rows = []
    header = next((k for k, line in enumerate(lines) if line.strip().startswith("CUST NO")), None)
    if header is None:
        raise InputError("no CUSTOMER table: not a Solomon instance", file=path)
    for number in range(header + 1, len(lines)):
        parts = lines[number].split()
        if not parts:
            continue
        try:
            values = [float(p) for p in parts]
        except ValueError:
            values = []
        if len(values) != 7:
            raise InputError(
                f"expected 7 numbers (CUST NO, X, Y, DEMAND, READY, DUE, SERVICE), "
                f"found {lines[number].strip()!r}",
                file=path,
                line=number + 1,
            )
        rows.append(values)
    table = np.asarray(rows)
    return SolomonInstance(
        name=lines[0].strip() or path.stem,
        vehicles=vehicles,
        capacity=capacity,
        coords=table[:, 1:3],
        demand=table[:, 3],
        ready=table[:, 4],
        due=table[:, 5],
        service=table[:, 6],
    )


def _vehicle_line(lines: list[str], path: Path) -> tuple[int, int]:
    for k, line in enumerate(lines):
        if line.strip().startswith("NUMBER"):
            try:
                number, capacity = lines[k + 1].split()[:2]
                return int(number), int(capacity)
            except (IndexError, ValueError):
                break
    raise InputError("no VEHICLE NUMBER/CAPACITY lines: not a Solomon instance", file=path)
