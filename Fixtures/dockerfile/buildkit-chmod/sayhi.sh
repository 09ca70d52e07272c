#!/bin/sh
echo "hi from a BuildKit build"
