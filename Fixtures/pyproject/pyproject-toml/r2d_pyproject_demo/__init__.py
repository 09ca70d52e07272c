"""A tiny package installed from its own repository."""


def greeting() -> str:
    return "hello from pyproject"
