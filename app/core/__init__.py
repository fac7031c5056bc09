"""Core: settings, contracts, corpus profile and text utilities. Imports nothing above it."""
