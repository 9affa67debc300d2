"""The search page (/search) and the search commands (flask search ...)."""
