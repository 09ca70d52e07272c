"""A package that only the Pipfile can install."""

NAME = "dummy"
