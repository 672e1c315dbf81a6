"""kamtui: a keyboard-driven terminal CRM for solo sellers and WeChat micro-merchants."""

__version__ = "0.1.0"
