"""Message catalogs: one module per area, each defining ``MESSAGES = {key: (zh, en)}``."""
