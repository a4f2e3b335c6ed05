"""Field-rep route planning: day and week routes, distance matrices and exports (no Qt)."""
