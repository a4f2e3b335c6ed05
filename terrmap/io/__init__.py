"""Reading user files (boundaries, account books) into terrmap's data frames; no Qt here."""
