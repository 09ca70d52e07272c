"""The project of Fixtures/uv/lock, installed by `uv sync` after the full copy."""


def greeting():
    return "hello from uv.lock"
