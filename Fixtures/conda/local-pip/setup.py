from setuptools import setup

setup(name="localpip", version="0.1", py_modules=["localpip"])
