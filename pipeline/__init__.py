"""Accessible, multilingual publishing pipeline for patient health information."""

__version__ = "0.1.0"
