"""Joined-Up: cited answers about integrating social services with health, education and employment."""

__version__ = "0.1.0"
