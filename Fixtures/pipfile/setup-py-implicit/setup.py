from setuptools import setup

setup(
    name="dummy",
    version="1.0.0",
    packages=["dummy"],
    install_requires=["pypi-pkg-test==0.0.4"],
)
