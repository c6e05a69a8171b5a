"""Flowbridge web front end and JSON API (Flask); built on the engine facade."""
